import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.policy.rules.PolicyInForce;
import dev.quantgate.quantize.QuantizationEngine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gate benchmarks' world, as the gate tests' {@code GateFixtures} build it, for the packaged app (run as a single
 * file on the app's classpath: {@code java -cp 'target/quarkus-app/app/*:target/quarkus-app/lib/main/*' bench/GateSeed.java}).
 *
 * <pre>
 * policy DIR NAME pass|fail [SELECTOR]   writes DIR/NAME.yaml: a policy selecting the models SELECTOR (default NAME;
 *                                         globs as in policy selectors), protecting alias champion and stage
 *                                         Production, one rule that the seeded evidence passes (accuracy fell by at
 *                                         most 0.5) or fails (accuracy at least 0.99)
 * seed JDBC_URL PASSWORD POLICY MODEL...  mirrors each MODEL (versions 1 and 2, champion on 1) straight into the
 *                                         registry tables and stores evidence of version 2 as the int8-dynamic variant
 *                                         of version 1: a report made by the real evaluation engine over 240
 *                                         predictions (sex and region, 40 bootstrap rounds)
 * </pre>
 */
public class GateSeed {

    static final String PASSING = "{id: accuracy-drop, metric: accuracy, change: {max_decrease: 0.5}}";
    static final String FAILING = "{id: accuracy-floor, metric: accuracy, value: {min: 0.99}}";
    static final String EVALUATION = """
              evaluation:
                label: y
                sensitive: [sex, region]
                intersections: true
                bootstrap: 40
                min_group_size: 30
            """;

    public static void main(String[] args) throws Exception {
        if ((args.length == 4 || args.length == 5) && args[0].equals("policy")) {
            Files.writeString(Path.of(args[1]).resolve(args[2] + ".yaml"), policyText(args[2],
                    args.length == 5 ? args[4] : args[2], args[3].equals("pass") ? PASSING : FAILING));
        } else if (args.length >= 5 && args[0].equals("seed")) {
            String report = new ObjectMapper().writeValueAsString(report());
            for (int i = 4; i < args.length; i++) {
                seed(args[1], args[2], args[3], args[i], report);
            }
        } else {
            System.err.println("usage: policy DIR NAME pass|fail [SELECTOR] | seed JDBC_URL PASSWORD POLICY MODEL...");
            System.exit(2);
        }
    }

    static String policyText(String name, String selector, String rule) {
        return "apiVersion: quantgate.dev/v1\nkind: QuantizationPolicy\n"
                + "metadata: {name: " + name + "}\nspec:\n"
                + "  selector: {models: [\"" + selector + "\"]}\n"
                + "  protect: {aliases: [champion], stages: [Production]}\n"
                + EVALUATION
                + "  variants:\n    - {scheme: int8-dynamic}\n  rules:\n"
                + "    - " + rule + "\n"
                + "  approvals: {required: 1, roles: [admin], not_requester: true}\n"
                + "  waivers: {max_duration: P30D}\n";
    }

    static void seed(String url, String password, String policy, String model, String report) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", password)) {
            long id;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO registry_model (name, description, mirrored_at,"
                    + " updated_at) VALUES (?, '', now(), now()) RETURNING id")) {
                s.setString(1, model);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            exec(c, "INSERT INTO registry_version (model_id, version, status, mirrored_at, updated_at)"
                    + " VALUES (?, 1, 'READY', now(), now()), (?, 2, 'READY', now(), now())", id, id);
            exec(c, "INSERT INTO registry_alias (model_id, alias, version, since) VALUES (?, 'champion', 1, now())", id);
            long job;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO quantization_job (model_name, version, scheme,"
                    + " spec_json, spec_sha256, policy_name, policy_sha256, requirement, state, attempts, next_attempt_at,"
                    + " run_id, created_at, updated_at) SELECT ?, 1, 'int8-dynamic', '{}', ?, name, sha256, 'cpu',"
                    + " 'succeeded', 1, now(), 'run-bench', now(), now() FROM policy_version WHERE name = ?"
                    + " ORDER BY loaded_at DESC LIMIT 1 RETURNING id")) {
                s.setString(1, model);
                s.setString(2, "c".repeat(64));
                s.setString(3, policy);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("policy " + policy + " is not loaded by the app");
                    }
                    job = rs.getLong(1);
                }
            }
            Map<String, Object> content = new LinkedHashMap<>();
            content.put("model", model);
            content.put("run", "bench");
            content.put("scheme", "int8-dynamic");
            content.put("evaluation", new ObjectMapper().readValue(report, new TypeReference<LinkedHashMap<String, Object>>() {
            }));
            content.put("policy", Map.of("sha256", "0".repeat(64), "evaluation_sha256", PolicyInForce.of(PolicyLoader
                    .load("evaluation.yaml", policyText(policy, model, PASSING).getBytes(StandardCharsets.UTF_8))).evaluationSha256()));
            content.put("engines", Map.of("quantize", QuantizationEngine.VERSION, "evaluate", "quantgate-evaluate/bench"));
            String canonical = Jcs.write(content);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
            try (PreparedStatement s = c.prepareStatement("INSERT INTO evidence (sha256, canonical_json, content, job_id,"
                    + " model_name, source_version, scheme, spec_sha256, policy_sha256, recorded_at, variant_version)"
                    + " VALUES (?, ?, CAST(? AS jsonb), ?, ?, 1, 'int8-dynamic', ?, ?, now(), 2)")) {
                s.setString(1, sha);
                s.setString(2, canonical);
                s.setString(3, canonical);
                s.setLong(4, job);
                s.setString(5, model);
                s.setString(6, "c".repeat(64));
                s.setString(7, "d".repeat(64));
                s.executeUpdate();
            }
            System.out.println("seeded " + model + ": evidence " + sha + " (" + canonical.length() + " bytes)");
        }
    }

    static Map<String, Object> report() throws Exception {
        Path dir = Files.createTempDirectory("gate-seed");
        StringBuilder csv = new StringBuilder("y,y_pred_source,y_pred_variant,sex,region\n");
        for (int i = 0; i < 240; i++) {
            int y = i % 4 == 0 ? 1 : 0;
            int source = i % 9 == 0 ? 1 - y : y;
            int variant = i % 13 == 0 ? 1 - source : source;
            csv.append(y).append(',').append(source).append(',').append(variant).append(',')
                    .append(i % 2 == 0 ? "F" : "M").append(',').append(i % 12 == 0 ? "N" : "S").append('\n');
        }
        Path predictions = Files.writeString(dir.resolve("predictions.csv"), csv.toString());
        EvaluationOptions o = new EvaluationOptions().labelColumn("y").minGroupSize(30).bootstrap(40).seed(11)
                .sensitive(SensitiveAttribute.categorical("sex")).sensitive(SensitiveAttribute.categorical("region"))
                .intersections(true);
        String text = JsonWriter.write(EvaluationReport.build(new Evaluator().evaluatePredictions(predictions, o)));
        return new ObjectMapper().readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {
        });
    }

    static void exec(Connection c, String sql, Object... params) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }
}
