package dev.quantgate.mlflow.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Checks MLflow's {@code X-MLflow-Signature}: {@code v1,} + base64(HMAC-SHA256(secret,
 * "{delivery_id}.{timestamp}.{raw_body}")), compared in constant time against every configured
 * secret (several during a rotation). Plain Java, so it is tested without booting Quarkus.
 */
public final class SignatureVerifier {

    static final String SCHEME = "v1,";
    private static final String ALGORITHM = "HmacSHA256";

    private final List<SecretKeySpec> keys;

    public SignatureVerifier(List<String> secrets) {
        this.keys = secrets.stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), ALGORITHM))
                .toList();
    }

    /** Whether at least one secret is configured. */
    public boolean hasSecrets() {
        return !keys.isEmpty();
    }

    /**
     * @param signatureHeader the header as received (may hold several space-separated signatures)
     * @return whether any signature in the header matches any configured secret
     */
    public boolean verify(String deliveryId, String timestamp, byte[] body, String signatureHeader) {
        Objects.requireNonNull(body, "body");
        if (signatureHeader == null || deliveryId == null || timestamp == null || keys.isEmpty()) {
            return false;
        }
        byte[] prefix = (deliveryId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        boolean matched = false;
        for (String candidate : signatureHeader.trim().split("\\s+")) {
            if (!candidate.startsWith(SCHEME)) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(SCHEME.length()));
            } catch (IllegalArgumentException e) {
                continue;
            }
            for (SecretKeySpec key : keys) {
                // Every secret is tried even after a match: the time taken does not reveal which one matched.
                matched |= MessageDigest.isEqual(hmac(key, prefix, body), given);
            }
        }
        return matched;
    }

    /** The header value MLflow would send for this delivery signed with this secret. */
    public static String sign(String secret, String deliveryId, String timestamp, byte[] body) {
        SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        byte[] prefix = (deliveryId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        return SCHEME + Base64.getEncoder().encodeToString(hmac(key, prefix, body));
    }

    private static byte[] hmac(SecretKeySpec key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }
}
