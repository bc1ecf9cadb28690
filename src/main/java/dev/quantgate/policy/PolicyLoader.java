package dev.quantgate.policy;

import dev.quantgate.kernel.json.Jcs;
import dev.quantgate.policy.model.QuantizationPolicy;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Reads one policy file: YAML with locations, the JSON Schema, then the typed binding. Plain Java, no state. */
public final class PolicyLoader {

    private PolicyLoader() {
    }

    /**
     * The accepted version of these bytes, or a {@link PolicyFileException} naming every problem with
     * its line and field (schema problems first; the binding's checks run only on a conforming document).
     */
    public static PolicyVersion load(String file, byte[] bytes) throws PolicyFileException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyFileException(List.of(new PolicyError(file, 1, 1, "", "not UTF-8 text")));
        }
        YamlDocument document = YamlDocument.parse(file, bytes);
        List<PolicyError> schemaErrors = PolicySchema.get().validate(file, document);
        if (!schemaErrors.isEmpty()) {
            throw new PolicyFileException(schemaErrors);
        }
        QuantizationPolicy policy = PolicyBinder.bind(file, document);
        return new PolicyVersion(policy, sha256(bytes), file, text, Jcs.write(document.root()));
    }

    /** Lower-case hex SHA-256 of the bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
