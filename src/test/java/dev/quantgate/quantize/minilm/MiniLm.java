package dev.quantgate.quantize.minilm;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 from the langchain4j Maven artifacts on the classpath (FP32 and the INT8 peer
 * made by ONNX Runtime's quantizer), tokenized with DJL and the model's tokenizer.json, embedded as
 * mean-pooled, L2-normalised sentence vectors.
 */
public final class MiniLm implements AutoCloseable {

    public static final String FP32 = "all-minilm-l6-v2.onnx";
    public static final String PEER = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;

    public MiniLm(Path workDir) throws IOException {
        Path tok = extract(TOKENIZER, workDir);
        this.tokenizer = HuggingFaceTokenizer.newInstance(tok, Map.of("maxLength", "256", "truncation", "true"));
    }

    /** Copies a model or tokenizer resource out of its jar (once) and returns the file. */
    public static Path extract(String resource, Path dir) {
        Path target = dir.resolve(resource);
        if (Files.exists(target)) {
            return target;
        }
        try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath (langchain4j MiniLM test jars)");
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, resource, ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Encoding encode(String sentence) {
        return tokenizer.encode(sentence);
    }

    public static OrtSession open(Path model, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return env.createSession(model.toString(), opts);
        }
    }

    /** Mean-pooled, normalised embedding of one encoded sentence (batch 1). */
    public static float[] embed(OrtSession session, Encoding e) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = e.getIds();
        long[] mask = e.getAttentionMask();
        long[] types = e.getTypeIds();
        long[] shape = {1, ids.length};
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
             OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            long[] s = out.getInfo().getShape();
            int len = (int) s[1];
            int dim = (int) s[2];
            FloatBuffer fb = out.getFloatBuffer();
            float[] pooled = new float[dim];
            double count = 0;
            for (int t = 0; t < len; t++) {
                if (mask[t] == 0) {
                    continue;
                }
                count++;
                for (int d = 0; d < dim; d++) {
                    pooled[d] += fb.get(t * dim + d);
                }
            }
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                pooled[d] /= (float) count;
                norm += pooled[d] * pooled[d];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < dim; d++) {
                pooled[d] /= (float) norm;
            }
            return pooled;
        }
    }

    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Mean and minimum cosine between two models' embeddings of the same sentences. */
    public static double[] fidelity(OrtSession reference, OrtSession candidate, List<Encoding> sentences)
            throws OrtException {
        double sum = 0;
        double min = 1;
        for (Encoding e : sentences) {
            double c = cosine(embed(reference, e), embed(candidate, e));
            sum += c;
            min = Math.min(min, c);
        }
        return new double[] {sum / sentences.size(), min};
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
