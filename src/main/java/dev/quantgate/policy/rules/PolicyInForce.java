package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.model.QuantizationPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The policy a candidate is judged under, with the hashes a decision names: the file's SHA-256 and the SHA-256
 * of its {@code spec.evaluation} section's canonical JSON (RFC 8785), which evidence must carry as
 * {@code policy.evaluation_sha256} to count as made under this policy.
 *
 * @param policy           null when the policy could not be read ({@code problem} says why): the judgement denies
 * @param evaluationSha256 null when the policy has no evaluation section
 */
public record PolicyInForce(QuantizationPolicy policy, String sha256, String evaluationSha256, String problem) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static PolicyInForce of(QuantizationPolicy policy, String sha256, String evaluationSha256) {
        return new PolicyInForce(policy, sha256, evaluationSha256, null);
    }

    /** A policy file that could not be loaded or validated. */
    public static PolicyInForce unreadable(String sha256, String problem) {
        return new PolicyInForce(null, sha256, null, problem == null ? "the policy could not be read" : problem);
    }

    /** From an accepted policy version; the evaluation hash is computed by {@link #evaluationSha256(String)}. */
    public static PolicyInForce of(PolicyVersion version) {
        return of(version.policy(), version.sha256(), evaluationSha256(version.canonicalJson()));
    }

    /**
     * SHA-256 (hex) of the RFC 8785 canonical JSON of {@code /spec/evaluation} in a policy document, or null when
     * the document has none. The planner binds the same hash into every job, and so into the evidence.
     */
    public static String evaluationSha256(String policyJson) {
        try {
            JsonNode section = JSON.readTree(policyJson).at("/spec/evaluation");
            return section.isMissingNode() ? null : sha256Hex(Jcs.utf8(section));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
