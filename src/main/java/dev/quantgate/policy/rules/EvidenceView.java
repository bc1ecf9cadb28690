package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantgate.evaluation.report.EvaluationReport;

/**
 * The evidence members a judgement reads, all in one place. Anything else in the evidence is ignored (CEL
 * expressions see all of it as {@code evidence}). A member that is missing, null or of the wrong type is
 * reported as such; no rule passes on a missing member.
 * <table>
 *   <caption>Evidence members</caption>
 *   <tr><td>{@value #EVALUATION}</td><td>the {@value EvaluationReport#SCHEMA} report of source against variant
 *       ({@code source}, {@code variant}, {@code delta}, {@code flips}, {@code impact}, {@code calibration},
 *       counts and {@code support} of groups): value, change and per-group rules, calibration_representative</td></tr>
 *   <tr><td>{@value #POLICY_EVALUATION_SHA256}</td><td>the policy evaluation section the evidence was made under:
 *       must equal {@link PolicyInForce#evaluationSha256()}</td></tr>
 *   <tr><td>{@value #ENGINES}{@code .quantize}, {@code .evaluate}</td><td>engine versions ({@code name/1.2.3}):
 *       evidence_fresh</td></tr>
 *   <tr><td>{@value #RECORDED_AT}</td><td>when it was recorded (ISO-8601): evidence_fresh, if the candidate's
 *       record has no time</td></tr>
 *   <tr><td>{@value #SCHEME}</td><td>the quantization scheme: calibration_representative applies to
 *       {@code int8-static} only</td></tr>
 *   <tr><td>{@value #CALIBRATION}{@code .by_attribute}</td><td>shares per group, read when the report has no
 *       calibration member (same shape as the report's)</td></tr>
 *   <tr><td>{@code source_artifact.size_bytes}, {@code variant_artifact.size_bytes}</td><td>CEL's
 *       {@code source.size_bytes} and {@code variant.size_bytes}</td></tr>
 * </table>
 */
public final class EvidenceView {

    public static final String EVALUATION = "evaluation";
    public static final String POLICY_EVALUATION_SHA256 = "/policy/evaluation_sha256";
    public static final String ENGINES = "engines";
    public static final String RECORDED_AT = "recorded_at";
    public static final String SCHEME = "scheme";
    public static final String CALIBRATION = "calibration";
    public static final String SOURCE_SIZE = "/source_artifact/size_bytes";
    public static final String VARIANT_SIZE = "/variant_artifact/size_bytes";
    /** The only scheme that calibrates on a dataset. */
    public static final String CALIBRATED_SCHEME = "int8-static";

    private final JsonNode content;

    EvidenceView(JsonNode content) {
        this.content = content;
    }

    JsonNode content() {
        return content;
    }

    /** The evaluation report, or a missing node. */
    JsonNode evaluation() {
        return content.path(EVALUATION);
    }

    /** Text at a JSON pointer, or null when missing or not text. */
    String text(String pointer) {
        JsonNode n = content.at(pointer);
        return n.isTextual() ? n.textValue() : null;
    }

    String policyEvaluationSha256() {
        return text(POLICY_EVALUATION_SHA256);
    }

    String engine(String name) {
        return text("/" + ENGINES + "/" + name);
    }

    String scheme() {
        return text("/" + SCHEME);
    }

    /** Per attribute and group, the calibration shares: the report's, else the evidence's own, else missing. */
    JsonNode calibrationGroups() {
        JsonNode fromReport = evaluation().path(CALIBRATION).path("by_attribute");
        return fromReport.isObject() ? fromReport : content.path(CALIBRATION).path("by_attribute");
    }

    /** A number at a JSON pointer, or null when missing or not a finite number. */
    Double number(String pointer) {
        return finite(content.at(pointer));
    }

    static Double finite(JsonNode n) {
        if (n == null || !n.isNumber()) {
            return null;
        }
        double d = n.doubleValue();
        return Double.isFinite(d) ? d : null;
    }
}
