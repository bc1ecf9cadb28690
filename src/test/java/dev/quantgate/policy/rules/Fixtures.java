package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantgate.evaluation.engine.EvaluationOptions;
import dev.quantgate.evaluation.engine.Evaluator;
import dev.quantgate.evaluation.engine.SensitiveAttribute;
import dev.quantgate.evaluation.report.EvaluationReport;
import dev.quantgate.evaluation.report.JsonWriter;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.policy.PolicyFileException;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.quantize.QuantizationEngine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Evidence made by the real evaluation engine (predictions mode) on a small generated dataset, and policies
 * loaded from YAML through the real loader. 200 rows: sex F/M alternating; race X on every 20th row (10 rows,
 * all F, below min_group_size 30) else Y; the source errs on every 7th row, the variant also flips every 11th.
 */
final class Fixtures {

    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    static final Instant RECORDED = Instant.parse("2026-12-01T08:00:00Z");
    static final String EVALUATE_ENGINE = "quantgate-evaluate/0.3.0";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, JsonNode> REPORTS = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** The engine's report of this dataset; {@code bootstrap} 0 gives no intervals. */
    static JsonNode report(int bootstrap, boolean representativeCalibration) {
        return REPORTS.computeIfAbsent(bootstrap + "/" + representativeCalibration, k -> evaluate(bootstrap, representativeCalibration));
    }

    private static JsonNode evaluate(int bootstrap, boolean representative) {
        try {
            Path dir = Files.createTempDirectory("rules-fixture");
            StringBuilder csv = new StringBuilder("y,y_pred_source,y_pred_variant,sex,race\n");
            for (int i = 0; i < 200; i++) {
                int y = i % 3 == 0 ? 1 : 0;
                int s = i % 7 == 0 ? 1 - y : y;
                int v = i % 11 == 0 ? 1 - s : s;
                csv.append(y).append(',').append(s).append(',').append(v).append(',')
                        .append(i % 2 == 0 ? "F" : "M").append(',').append(i % 20 == 0 ? "X" : "Y").append('\n');
            }
            Path predictions = Files.writeString(dir.resolve("predictions.csv"), csv.toString());
            StringBuilder cal = new StringBuilder("sex,race\n");
            // representative: the evaluation's own shares (F&X 1, F&Y 9, M&Y 10 of 20); otherwise no F&X at all
            for (int i = 0; i < 20; i++) {
                boolean f = i < 10;
                cal.append(f ? "F" : "M").append(',').append(representative && i == 0 ? "X" : "Y").append('\n');
            }
            Path calibration = Files.writeString(dir.resolve("calibration.csv"), cal.toString());
            EvaluationOptions o = new EvaluationOptions().labelColumn("y").minGroupSize(30).bootstrap(bootstrap).seed(7)
                    .sensitive(SensitiveAttribute.categorical("sex")).sensitive(SensitiveAttribute.categorical("race"))
                    .intersections(true).calibration(calibration);
            return JSON.readTree(JsonWriter.write(EvaluationReport.build(new Evaluator().evaluatePredictions(predictions, o))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A policy with these rule lines (YAML flow mappings, one per line) and small_groups setting. */
    static PolicyInForce policy(String smallGroups, boolean waivers, String... rules) {
        StringBuilder y = new StringBuilder("""
                apiVersion: quantgate.dev/v1
                kind: QuantizationPolicy
                metadata: {name: rules-test}
                spec:
                  selector: {models: ["credit-*"]}
                  evaluation:
                    label: y
                    sensitive: [sex, race]
                    intersections: true
                    bootstrap: 200
                    min_group_size: 30
                  calibration: {max_underrepresentation: 2.0}
                  variants:
                    - {scheme: int8-static}
                """);
        y.append(rules.length == 0 ? "  rules: []\n" : "  rules:\n");
        for (String r : rules) {
            y.append("    - ").append(r).append('\n');
        }
        if (smallGroups != null) {
            y.append("  small_groups: ").append(smallGroups).append('\n');
        }
        if (waivers) {
            y.append("  waivers: {max_duration: P30D}\n");
        }
        try {
            return PolicyInForce.of(PolicyLoader.load("rules-test.yaml", y.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (PolicyFileException e) {
            throw new IllegalArgumentException(e.getMessage() + "\n" + y, e);
        }
    }

    static PolicyInForce policy(String... rules) {
        return policy(null, true, rules);
    }

    /** Evidence content bound to the policy, made from the report; {@code change} edits it before hashing. */
    static ObjectNode content(PolicyInForce policy, JsonNode report, Consumer<ObjectNode> change) {
        ObjectNode c = JSON.createObjectNode();
        c.set("evaluation", report.deepCopy());
        c.put("scheme", "int8-static");
        c.putObject("spec").put("scheme", "int8-static");
        c.putObject("source_artifact").put("size_bytes", 4_000_000);
        c.putObject("variant_artifact").put("size_bytes", 1_000_000);
        c.putObject("benchmark").put("latency_ms_p50", 1.5);
        c.putObject("policy").put("sha256", policy.sha256()).put("evaluation_sha256", policy.evaluationSha256());
        c.putObject("engines").put("quantize", QuantizationEngine.VERSION).put("evaluate", EVALUATE_ENGINE);
        c.put("recorded_at", RECORDED.toString());
        change.accept(c);
        return c;
    }

    static Candidate.Evidence evidence(JsonNode content) {
        return new Candidate.Evidence(PolicyInForce.sha256Hex(Jcs.utf8(content)), content, RECORDED);
    }

    static Candidate candidate(Candidate.Evidence evidence, Candidate.Waiver... waivers) {
        return new Candidate("credit-scoring", "7", Map.of("risk", "high"), Map.of("quantgate.scheme", "int8-static"),
                evidence, List.of(waivers));
    }

    /** Judges a candidate with evidence from the default report (bootstrap 200, representative calibration). */
    static Judgement judge(PolicyInForce policy, Consumer<ObjectNode> change, Candidate.Waiver... waivers) {
        return judge(policy, report(200, true), change, waivers);
    }

    static Judgement judge(PolicyInForce policy, JsonNode report, Consumer<ObjectNode> change, Candidate.Waiver... waivers) {
        return PolicyJudge.withDefaults().judge(policy, candidate(evidence(content(policy, report, change)), waivers), NOW);
    }

    static Judgement judge(PolicyInForce policy) {
        return judge(policy, c -> { });
    }

    /** A figure of the default report, read independently of the code under test. */
    static double at(String pointer) {
        JsonNode n = report(200, true).at(pointer);
        if (!n.isNumber()) {
            throw new IllegalStateException(pointer + " is not a number in the report");
        }
        return n.doubleValue();
    }

    static RuleResult only(Judgement j, String rule) {
        List<RuleResult> rs = j.results().stream().filter(r -> r.ruleId().equals(rule)).toList();
        if (rs.size() != 1) {
            throw new AssertionError("expected one result of " + rule + ", got " + rs);
        }
        return rs.get(0);
    }
}
