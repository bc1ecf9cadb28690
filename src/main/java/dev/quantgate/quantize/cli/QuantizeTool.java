package dev.quantgate.quantize.cli;

import dev.quantgate.cli.Tool;
import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.quantize.OutputOptions;
import dev.quantgate.quantize.QuantizationException;
import dev.quantgate.quantize.QuantizationIoException;
import dev.quantgate.quantize.QuantizationResult;
import dev.quantgate.quantize.calib.CalibrationData;
import dev.quantgate.quantize.calib.CalibrationReader;
import dev.quantgate.quantize.runtime.OrtRuntime;
import dev.quantgate.quantize.spec.QuantizationSpec;
import dev.quantgate.quantize.spec.Scheme;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code quantgate quantize --in IN.onnx --out OUT.onnx --scheme S [options]}: quantizes a model file
 * without the server and prints a one-line JSON summary. Exit codes: {@value #OK} a variant was
 * produced; {@value #BAD_INPUT} bad input (permanent: the same call fails again); {@value #NOT_APPLICABLE}
 * nothing to quantize, no variant (a JSON line with {@code "result":"not_applicable"}); {@value #TRANSIENT}
 * a transient I/O problem (retry); {@value #FAILED} an unexpected internal error.
 */
public final class QuantizeTool implements Tool {

    /** An unexpected internal error (a bug); the message is printed. */
    public static final int FAILED = 1;
    /** The model holds nothing the scheme quantizes; no variant was produced. */
    public static final int NOT_APPLICABLE = 3;
    /** A transient I/O problem (read error, full disk): the same call may succeed later. */
    public static final int TRANSIENT = 4;

    static final String USAGE = """
            usage: quantgate quantize --in IN.onnx --out OUT.onnx --scheme SCHEME [options]
              --scheme S           fp16 | int8-dynamic | int8-static | int4-weight-only
              --spec FILE          spec JSON (its "scheme" wins over --scheme); flags below override it
              --calibration FILE   JSON Lines, one sample per line: {"input": [[...]]} or {"input": {"dims": [..], "data": [..]}}
              --per-channel        per-channel weight scales (--per-tensor for one scale per tensor)
              --symmetric          symmetric weights (--asymmetric for a zero point)
              --exclude a,b        node names to keep in float
              --set key=value      any other spec parameter (repeatable), e.g. --set block_size=64
              --threads N          ONNX Runtime intra-op threads for checks and calibration
              --external-data-threshold BYTES
                                   write external data when the output's tensors pass this size
                                   (default 1800000000; 0 = always; a source with external data always gives external data)
            exit codes: 0 produced, 2 bad input, 3 not applicable (nothing to quantize), 4 transient I/O error, 1 internal error
            """;

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "quantize an ONNX model (fp16, int8-dynamic, int8-static, int4-weight-only)";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Options o = Options.parse(args);
            QuantizationSpec spec = o.spec();
            Optional<CalibrationData> calibration = o.calibration == null ? Optional.empty()
                    : Optional.of(CalibrationReader.read(o.calibration));
            QuantizationEngine engine = new QuantizationEngine(new OrtRuntime(o.threads, true),
                    new OutputOptions(o.externalDataThreshold));
            QuantizationResult result = engine.quantize(o.in, o.out, spec, calibration);
            out.println(result.toJsonLine());
            if (result instanceof QuantizationResult.NotApplicable na) {
                err.println("quantgate quantize: " + na.reason());
                return NOT_APPLICABLE;
            }
            return OK;
        } catch (UsageException e) {
            err.println("quantgate quantize: " + e.getMessage());
            err.print(USAGE);
            return BAD_INPUT;
        } catch (QuantizationException e) {
            err.println("quantgate quantize: " + e.getMessage());
            return BAD_INPUT;
        } catch (QuantizationIoException e) {
            err.println("quantgate quantize: transient I/O error, retry: " + e.getMessage());
            return TRANSIENT;
        } catch (RuntimeException | OutOfMemoryError e) {
            err.println("quantgate quantize: internal error: " + e);
            return FAILED;
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static final class Options {
        Path in;
        Path out;
        String scheme;
        Path specFile;
        Path calibration;
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        long externalDataThreshold = OutputOptions.DEFAULT_EXTERNAL_DATA_THRESHOLD;
        final Map<String, Object> overrides = new LinkedHashMap<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--in" -> o.in = Path.of(value(args, ++i, a));
                    case "--out" -> o.out = Path.of(value(args, ++i, a));
                    case "--scheme" -> o.scheme = value(args, ++i, a);
                    case "--spec" -> o.specFile = Path.of(value(args, ++i, a));
                    case "--calibration" -> o.calibration = Path.of(value(args, ++i, a));
                    case "--per-channel" -> o.overrides.put("per_channel", true);
                    case "--per-tensor" -> o.overrides.put("per_channel", false);
                    case "--symmetric" -> o.overrides.put("symmetric", true);
                    case "--asymmetric" -> o.overrides.put("symmetric", false);
                    case "--exclude" -> o.overrides.put("exclude_nodes",
                            new ArrayList<>(Arrays.asList(value(args, ++i, a).split(","))));
                    case "--threads" -> o.threads = parseInt(value(args, ++i, a), a);
                    case "--external-data-threshold" -> o.externalDataThreshold = parseLong(value(args, ++i, a), a);
                    case "--set" -> {
                        String kv = value(args, ++i, a);
                        int eq = kv.indexOf('=');
                        if (eq <= 0) {
                            throw new UsageException("--set needs key=value, got " + kv);
                        }
                        o.overrides.put(kv.substring(0, eq), literal(kv.substring(eq + 1)));
                    }
                    case "-h", "--help" -> throw new UsageException("help");
                    default -> throw new UsageException("unknown option " + a);
                }
            }
            if (o.in == null || o.out == null) {
                throw new UsageException("--in and --out are required");
            }
            if (o.scheme == null && o.specFile == null) {
                throw new UsageException("--scheme or --spec is required");
            }
            return o;
        }

        QuantizationSpec spec() {
            QuantizationSpec spec;
            if (specFile != null) {
                try {
                    spec = QuantizationSpec.parse(Files.readString(specFile, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new QuantizationException("cannot read spec " + specFile + ": " + e.getMessage(), e);
                }
            } else {
                spec = QuantizationSpec.defaults(Scheme.fromId(scheme));
            }
            if (scheme != null && specFile != null && !scheme.equals(spec.scheme().id())) {
                throw new QuantizationException("--scheme " + scheme + " disagrees with the spec's scheme "
                        + spec.scheme().id());
            }
            Map<String, Object> applicable = new LinkedHashMap<>(overrides);
            if (applicable.containsKey("per_channel") && !spec.has("per_channel")) {
                throw new QuantizationException("--per-channel/--per-tensor do not apply to " + spec.scheme().id());
            }
            return spec.withAll(applicable);
        }

        private static Object literal(String v) {
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                // not an integer
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                // not a number
            }
            if (v.contains(",")) {
                return List.of(v.split(","));
            }
            return v;
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new UsageException(flag + " needs a value");
            }
            return args[i];
        }

        private static long parseLong(String v, String flag) {
            try {
                long n = Long.parseLong(v);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException(flag + " needs a byte count (0 or more), got " + v);
            }
        }

        private static int parseInt(String v, String flag) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new UsageException(flag + " needs an integer, got " + v);
            }
        }
    }
}
