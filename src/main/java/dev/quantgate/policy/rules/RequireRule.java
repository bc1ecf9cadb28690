package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.policy.model.Calibration;
import dev.quantgate.policy.model.Rule;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code require: calibration_representative | evidence_fresh}.
 * <ul>
 *   <li><b>calibration_representative</b> (static schemes only, {@code int8-static}; not applicable to others):
 *       no group's calibration share times {@code calibration.max_underrepresentation} (default 2) is below its
 *       evaluation share, recomputed from the shares with the policy's factor.</li>
 *   <li><b>evidence_fresh</b>, one result each: the evidence names this policy's evaluation section
 *       ({@code policy.evaluation_sha256}, also a precondition of every judgement); each engine in
 *       {@code engines} ({@code quantize}, {@code evaluate}) is named, and not older than the version the gate
 *       requires for it (versions compare by their dotted numbers after the last {@code /}); the evidence was
 *       recorded no later than the time of judgement. There is no maximum age: evidence bound to the same
 *       policy section and engines stays valid.</li>
 * </ul>
 */
final class RequireRule implements RuleKind {

    static final String CALIBRATION_REPRESENTATIVE = "calibration_representative";
    static final String EVIDENCE_FRESH = "evidence_fresh";
    static final List<String> ENGINES = List.of("evaluate", "quantize");

    @Override
    public String id() {
        return "require";
    }

    @Override
    public boolean appliesTo(Rule rule) {
        return rule.require() != null;
    }

    @Override
    public List<RuleResult> evaluate(Rule rule, RuleContext ctx) {
        return switch (rule.require()) {
            case CALIBRATION_REPRESENTATIVE -> List.of(calibration(rule, ctx));
            case EVIDENCE_FRESH -> fresh(rule, ctx);
            default -> List.of(RuleResult.error(rule.id(), id(), rule.require(), "unknown_requirement",
                    "require: " + rule.require() + " is not a requirement this gate knows"));
        };
    }

    private RuleResult calibration(Rule rule, RuleContext ctx) {
        String scheme = ctx.evidence().scheme();
        if (scheme == null) {
            return result(rule, CALIBRATION_REPRESENTATIVE, RuleStatus.INSUFFICIENT_DATA, "the evidence names no scheme, so "
                    + "whether it calibrated cannot be told");
        }
        if (!EvidenceView.CALIBRATED_SCHEME.equals(scheme)) {
            return result(rule, CALIBRATION_REPRESENTATIVE, RuleStatus.NOT_APPLICABLE, scheme + " does not calibrate on a dataset");
        }
        double factor = ctx.spec().calibration().map(Calibration::maxUnderrepresentation)
                .orElse(Calibration.DEFAULT_MAX_UNDERREPRESENTATION);
        JsonNode byAttribute = ctx.evidence().calibrationGroups();
        if (!byAttribute.isObject() || byAttribute.isEmpty()) {
            return result(rule, CALIBRATION_REPRESENTATIVE, RuleStatus.INSUFFICIENT_DATA,
                    "the evidence has no calibration check (calibration.by_attribute)");
        }
        List<String> under = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String attribute : new TreeSet<>(fieldNames(byAttribute))) {
            JsonNode groups = byAttribute.get(attribute);
            for (String group : new TreeSet<>(fieldNames(groups))) {
                Double cal = EvidenceView.finite(groups.get(group).get("calibration_share"));
                Double eval = EvidenceView.finite(groups.get(group).get("evaluation_share"));
                String label = attribute + "=" + group;
                if (cal == null || eval == null) {
                    unknown.add(label);
                } else if (cal * factor < eval) {
                    under.add(label + " (" + Numbers.format(cal) + " of calibration rows vs " + Numbers.format(eval)
                            + " of evaluation rows)");
                }
            }
        }
        String f = Numbers.format(factor);
        if (!under.isEmpty()) {
            return result(rule, CALIBRATION_REPRESENTATIVE, RuleStatus.FAIL, "the calibration set under-represents "
                    + String.join(", ", under) + ": more than " + f + " times below the evaluation share");
        }
        if (!unknown.isEmpty()) {
            return result(rule, CALIBRATION_REPRESENTATIVE, RuleStatus.INSUFFICIENT_DATA, "the calibration check has no shares for "
                    + String.join(", ", unknown));
        }
        return result(rule, CALIBRATION_REPRESENTATIVE, RuleStatus.PASS, "every group's calibration share is at least 1/"
                + f + " of its evaluation share");
    }

    private List<RuleResult> fresh(Rule rule, RuleContext ctx) {
        List<RuleResult> out = new ArrayList<>();
        String expected = ctx.policy().evaluationSha256();
        String bound = ctx.evidence().policyEvaluationSha256();
        out.add(expected != null && expected.equals(bound)
                ? result(rule, "evaluation_section", RuleStatus.PASS, "the evidence was made under this policy's evaluation "
                        + "section (" + expected + ")")
                : result(rule, "evaluation_section", RuleStatus.FAIL, "the evidence was made under evaluation section "
                        + bound + ", not this policy's " + expected));
        Map<String, String> floors = new TreeMap<>(ctx.engineFloors());
        ENGINES.forEach(e -> floors.putIfAbsent(e, null));
        floors.forEach((engine, floor) -> out.add(engine(rule, ctx, engine, floor)));
        out.add(recorded(rule, ctx));
        return out;
    }

    private RuleResult engine(Rule rule, RuleContext ctx, String engine, String floor) {
        String check = "engine." + engine;
        String used = ctx.evidence().engine(engine);
        if (used == null) {
            return result(rule, check, RuleStatus.INSUFFICIENT_DATA, "the evidence does not name its " + engine + " engine");
        }
        if (floor == null) {
            return result(rule, check, RuleStatus.PASS, "the evidence was made by " + used + " (no minimum version required)");
        }
        int[] have = version(used);
        int[] need = version(floor);
        if (have == null || need == null) {
            return result(rule, check, RuleStatus.INSUFFICIENT_DATA, "cannot compare the " + engine + " engine version "
                    + used + " with the required " + floor);
        }
        return compare(have, need) < 0
                ? result(rule, check, RuleStatus.FAIL, "the evidence was made by " + used + ", older than the " + floor
                        + " this gate requires")
                : result(rule, check, RuleStatus.PASS, "the evidence was made by " + used + ", not older than " + floor);
    }

    private RuleResult recorded(Rule rule, RuleContext ctx) {
        Instant at = ctx.candidate().evidence().recordedAt();
        if (at == null) {
            String text = ctx.evidence().text("/" + EvidenceView.RECORDED_AT);
            try {
                at = text == null ? null : Instant.parse(text);
            } catch (DateTimeParseException e) {
                at = null;
            }
        }
        if (at == null) {
            return result(rule, "recorded_at", RuleStatus.INSUFFICIENT_DATA, "the evidence says not when it was recorded");
        }
        return at.isAfter(ctx.now())
                ? result(rule, "recorded_at", RuleStatus.FAIL, "the evidence claims to be recorded at " + at
                        + ", after the judgement at " + ctx.now())
                : result(rule, "recorded_at", RuleStatus.PASS, "the evidence was recorded at " + at);
    }

    /** The dotted numbers after the last {@code /} ({@code quantgate-quantize/0.2.0} → 0, 2, 0), or null. */
    static int[] version(String text) {
        String v = text.substring(text.lastIndexOf('/') + 1);
        if (!v.matches("\\d+(\\.\\d+)*.*")) {
            return null;
        }
        String[] parts = v.replaceFirst("^(\\d+(\\.\\d+)*).*$", "$1").split("\\.");
        int[] out = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Integer.parseInt(parts[i]);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }

    static int compare(int[] a, int[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : 0;
            int y = i < b.length ? b[i] : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    private RuleResult result(Rule rule, String check, RuleStatus status, String message) {
        return RuleResult.plain(rule.id(), id(), check, status, message);
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
