package dev.quantgate.audit;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The expected hashes were computed outside Java, with the README's recipes (Python hashlib + json.dumps). */
class AuditHashingTest {

    private static final String TIME = "2026-11-26T19:00:00.123456Z";

    @Test
    void shouldHashFormTwoAsRfc8785OfTheWholeEventAsDocumented() {
        String payload = AuditHashing.canonicalPayload(Map.of("outcome", "success", "n", 2));
        assertEquals("{\"action\":\"token.create\",\"actor\":\"alice\",\"hashForm\":2,\"payload\":{\"n\":2,\"outcome\":\"success\"},"
                        + "\"prevHash\":\"" + AuditHashing.GENESIS_HASH + "\",\"seq\":1,\"subject\":\"token:ci\","
                        + "\"time\":\"2026-11-26T19:00:00.123456Z\"}",
                AuditHashing.content(1, TIME, "alice", "token.create", "token:ci", payload, AuditHashing.GENESIS_HASH));

        String first = AuditHashing.hash(2, 1, TIME, "alice", "token.create", "token:ci", payload, AuditHashing.GENESIS_HASH);
        assertEquals("a39978dec9d98483d602142af167c13d266722a378f07916ca2f8fa4097c536e", first);
        String second = AuditHashing.hash(2, 2, TIME, "alice", "token.create", "token:ci", payload, first);
        assertEquals("ec0eb8c99bf4d01591e7e5dc78225d42bcdd3f8a870cab4296352d41c3dedafc", second);
    }

    @Test
    void shouldStillHashFormOneAsBeforeRfc8785() {
        String payload = LegacyHashForm.write(Map.of("outcome", "success", "n", 2));
        String content = LegacyHashForm.content(1, TIME, "alice", "token.create", "token:ci", payload);
        assertEquals("{\"action\":\"token.create\",\"actor\":\"alice\",\"payload\":{\"n\":2,\"outcome\":\"success\"},"
                + "\"seq\":1,\"subject\":\"token:ci\",\"time\":\"2026-11-26T19:00:00.123456Z\"}", content);

        String first = AuditHashing.hash(1, 1, TIME, "alice", "token.create", "token:ci", payload, AuditHashing.GENESIS_HASH);
        assertEquals("50184ea98f526f7f8ff500f0f3a8ae1101ed06c20df463033871359d6edbdc43", first);
        String second = AuditHashing.hash(1, 2, TIME, "alice", "token.create", "token:ci", payload, first);
        assertEquals("cd7e9f7e31db505346e989ece23934428a2e7a2d2ae7b8d5eb82273bf11f2f94", second);
    }

    @Test
    void shouldBindTheFormIntoTheHash() {
        String payload = "{}";
        assertNotEquals(AuditHashing.hash(1, 1, TIME, "a", "b", "c", payload, AuditHashing.GENESIS_HASH),
                AuditHashing.hash(2, 1, TIME, "a", "b", "c", payload, AuditHashing.GENESIS_HASH));
        assertThrows(IllegalArgumentException.class,
                () -> AuditHashing.hash(3, 1, TIME, "a", "b", "c", payload, AuditHashing.GENESIS_HASH));
    }

    @Test
    void shouldHashAFormTwoPayloadAsAnyRfc8785LibraryWouldReadIt() {
        // The stored text is re-canonicalized: numbers as ECMAScript writes the nearest double.
        String canonical = AuditHashing.hash(2, 1, TIME, "a", "b", "c", "{\"x\":1e+21,\"y\":0.5}", AuditHashing.GENESIS_HASH);
        assertEquals(canonical, AuditHashing.hash(2, 1, TIME, "a", "b", "c", "{ \"y\": 0.50, \"x\": 1E21 }",
                AuditHashing.GENESIS_HASH));
    }

    @Test
    void shouldFormatTimeInUtcWithSixFractionalDigits() {
        assertEquals("2026-01-02T03:04:05.000000Z", AuditHashing.formatTime(Instant.parse("2026-01-02T03:04:05Z")));
        assertEquals("2026-01-02T03:04:05.123456Z",
                AuditHashing.formatTime(Instant.parse("2026-01-02T03:04:05.123456789Z")));
    }
}
