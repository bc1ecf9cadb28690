package dev.quantgate.policy;

/** Policy texts for tests: a valid base, and the same with one line replaced. */
public final class PolicyFiles {

    /** Line numbers below are those of this text (line 1 is {@code apiVersion}). */
    public static final String BASE = """
            apiVersion: quantgate.dev/v1
            kind: QuantizationPolicy
            metadata:
              name: NAME
              description: a test policy
            spec:
              selector:
                models: [MODELS]
              evaluation:
                dataset: {tag: quantgate.eval_dataset}
                label: income
                positive: ">50K"
                classes: ["<=50K", ">50K"]
                sensitive: [sex, age]
                buckets: {age: [25, 40, 60]}
                min_group_size: 30
              variants:
                - scheme: int8-dynamic
                - scheme: int4-weight-only
                  block_size: 32
                - {scheme: int8-static, calibration: {method: percentile, percentile: 99.9}}
              rules:
                - {id: accuracy-drop, metric: accuracy, change: {max_decrease: 0.01}, bound: ci}
              waivers: {max_duration: P30D}
            """;

    private PolicyFiles() {
    }

    /** The base policy with this name, selecting these model globs. */
    public static String policy(String name, String... models) {
        return BASE.replace("NAME", name).replace("[MODELS]", models(models));
    }

    /** The base policy with its 1-based line {@code line} replaced by {@code text}. */
    public static String withLine(String name, int line, String text) {
        String[] lines = policy(name, "m-*").split("\n", -1);
        lines[line - 1] = text;
        return String.join("\n", lines);
    }

    /** The base policy without its line {@code line}. */
    public static String withoutLine(String name, int line) {
        String[] lines = policy(name, "m-*").split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i != line - 1) {
                out.append(lines[i]).append(i < lines.length - 1 ? "\n" : "");
            }
        }
        return out.toString();
    }

    private static String models(String... models) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < models.length; i++) {
            out.append(i == 0 ? "" : ", ").append('"').append(models[i]).append('"');
        }
        return out.append(']').toString();
    }
}
