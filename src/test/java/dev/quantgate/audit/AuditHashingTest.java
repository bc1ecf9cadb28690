package dev.quantgate.audit;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The expected hashes were computed outside Java, with the README's recipe (Python hashlib + json.dumps). */
class AuditHashingTest {

    private static final String TIME = "2026-11-26T19:00:00.123456Z";

    @Test
    void shouldHashPreviousHashAndCanonicalContentAsDocumented() {
        String payload = CanonicalJson.write(Map.of("outcome", "success", "n", 2));
        String content = AuditHashing.content(1, TIME, "alice", "token.create", "token:ci", payload);

        assertEquals("{\"action\":\"token.create\",\"actor\":\"alice\",\"payload\":{\"n\":2,\"outcome\":\"success\"},"
                + "\"seq\":1,\"subject\":\"token:ci\",\"time\":\"2026-11-26T19:00:00.123456Z\"}", content);
        String first = AuditHashing.hash(AuditHashing.GENESIS_HASH, content);
        assertEquals("50184ea98f526f7f8ff500f0f3a8ae1101ed06c20df463033871359d6edbdc43", first);

        String second = AuditHashing.hash(first, AuditHashing.content(2, TIME, "alice", "token.create", "token:ci", payload));
        assertEquals("cd7e9f7e31db505346e989ece23934428a2e7a2d2ae7b8d5eb82273bf11f2f94", second);
    }

    @Test
    void shouldFormatTimeInUtcWithSixFractionalDigits() {
        assertEquals("2026-01-02T03:04:05.000000Z", AuditHashing.formatTime(Instant.parse("2026-01-02T03:04:05Z")));
        assertEquals("2026-01-02T03:04:05.123456Z",
                AuditHashing.formatTime(Instant.parse("2026-01-02T03:04:05.123456789Z")));
    }
}
