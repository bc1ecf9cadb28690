package dev.quantgate.gate;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import dev.quantgate.evidence.EvidenceIndex;
import dev.quantgate.evidence.EvidenceStore;
import dev.quantgate.jobs.JobRows;
import dev.quantgate.policy.PolicyFileException;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.policy.rules.PolicyInForce;
import dev.quantgate.policy.service.PolicyService;
import dev.quantgate.quantize.QuantizationEngine;
import dev.quantgate.testing.TestDatabase;
import dev.quantgate.testing.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gate tests' world, in the jobs test profile: a policy file of a test's own (selecting only its {@code gate-*}
 * model), a model mirrored straight into the registry tables (version 1 the source, version 2 the variant), and the
 * variant's evidence made by the real evaluation engine (predictions mode) and stored through {@link EvidenceStore}.
 * 240 rows: sex F/M alternating; region N on every 12th row (20 rows, below min_group_size 30) else S; the source
 * errs on every 9th row, the variant also on every 13th.
 */
final class GateFixtures {

    /** The evaluation section every gate test policy shares, so one report serves them all. */
    static final String EVALUATION = """
              evaluation:
                label: y
                sensitive: [sex, region]
                intersections: true
                bootstrap: 40
                min_group_size: 30
            """;
    static final String PASSING = "{id: accuracy-drop, metric: accuracy, change: {max_decrease: 0.5}}";
    static final String FAILING = "{id: accuracy-floor, metric: accuracy, value: {min: 0.99}}";
    /** Passes on every group large enough; the small region N group needs approval. */
    static final String SMALL_GROUP = "{id: group-accuracy, metric: accuracy, per_group: all, value: {min: 0.0}}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile Map<String, Object> report;

    private GateFixtures() {
    }

    /** A fresh model name, {@code gate-<id>}. */
    static String model() {
        return "gate-" + TestTokens.shortId();
    }

    /** The text of a policy named after the model that selects only it, protecting {@code champion}. */
    static String policyText(String model, String approvals, String... rules) {
        StringBuilder y = new StringBuilder("apiVersion: quantgate.dev/v1\nkind: QuantizationPolicy\n")
                .append("metadata: {name: ").append(model).append("}\nspec:\n")
                .append("  selector: {models: [\"").append(model).append("\"]}\n")
                .append("  protect: {aliases: [champion], stages: [Production]}\n")
                .append(EVALUATION)
                .append("  variants:\n    - {scheme: int8-dynamic}\n  rules:\n");
        for (String r : rules) {
            y.append("    - ").append(r).append('\n');
        }
        y.append("  approvals: ").append(approvals).append('\n');
        y.append("  waivers: {max_duration: P30D}\n");
        return y.toString();
    }

    /** Writes the policy into the profile's policies folder and loads it now. */
    static void writePolicy(String model, String approvals, String... rules) {
        Path dir = Path.of(ConfigProvider.getConfig().getValue("quantgate.policies.dir", String.class));
        try {
            Files.writeString(dir.resolve(model + ".yaml"), policyText(model, approvals, rules));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Arc.container().instance(PolicyService.class).get().rescan();
    }

    /** The model in the mirror with versions 1 and 2 (and alias {@code champion} on {@code holder}, unless null). */
    static void mirror(String model, Integer holder) {
        try (Connection c = TestDatabase.app()) {
            long id;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO registry_model (name, description, mirrored_at,"
                    + " updated_at) VALUES (?, '', now(), now()) RETURNING id")) {
                s.setString(1, model);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            exec(c, "INSERT INTO registry_model_tag (model_id, tag_key, tag_value, updated_at) VALUES (?, 'risk', 'high', now())", id);
            exec(c, "INSERT INTO registry_version (model_id, version, status, mirrored_at, updated_at)"
                    + " VALUES (?, 1, 'READY', now(), now()), (?, 2, 'READY', now(), now())", id, id);
            if (holder != null) {
                exec(c, "INSERT INTO registry_alias (model_id, alias, version, since) VALUES (?, 'champion', ?, now())",
                        id, holder);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot mirror " + model, e);
        }
    }

    /** Evidence of the model's variant, registered as version 2, under the shared evaluation section; its hash. */
    static String evidence(String model, String run) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("model", model);
        content.put("run", run);
        content.put("scheme", "int8-dynamic");
        content.put("evaluation", report());
        content.put("policy", Map.of("sha256", "0".repeat(64), "evaluation_sha256", evaluationSha256()));
        content.put("engines", Map.of("quantize", QuantizationEngine.VERSION, "evaluate", "quantgate-evaluate/test"));
        EvidenceStore store = Arc.container().instance(EvidenceStore.class).get();
        long job = JobRows.insert(model, 1, "running", null);
        return QuarkusTransaction.requiringNew().call(() -> {
            String sha = store.put(content, new EvidenceIndex(job, model, 1, "int8-dynamic", "c".repeat(64), "d".repeat(64)));
            store.recordVariantVersion(sha, 2);
            return sha;
        });
    }

    static String evaluationSha256() {
        try {
            return PolicyInForce.of(PolicyLoader.load("evaluation.yaml", policyText("gate-evaluation",
                    "{required: 1, roles: [admin]}", PASSING).getBytes(StandardCharsets.UTF_8))).evaluationSha256();
        } catch (PolicyFileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static Map<String, Object> report() {
        if (report == null) {
            report = evaluate();
        }
        return report;
    }

    private static Map<String, Object> evaluate() {
        try {
            Path dir = Files.createTempDirectory("gate-fixture");
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
            return JSON.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model's outbox writes, oldest first, as {@code kind write_json}. */
    static List<String> outboxWrites(String model) {
        List<String> writes = new ArrayList<>();
        try (Connection c = TestDatabase.app();
             PreparedStatement s = c.prepareStatement("SELECT kind, write_json FROM mlflow_outbox WHERE model_name = ? ORDER BY id")) {
            s.setString(1, model);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    writes.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return writes;
    }

    private static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }
}
