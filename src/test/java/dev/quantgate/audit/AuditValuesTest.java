package dev.quantgate.audit;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditValuesTest {

    @Test
    void shouldKeepOrdinaryValuesAsTheyAre() {
        AuditValues.Storable e = AuditValues.of("alice", "token.create", "token:ci é 😀", Map.of("outcome", "success"));
        assertEquals("token:ci é 😀", e.subject());
        assertEquals("{\"outcome\":\"success\"}", e.payload());
    }

    @Test
    void shouldEscapeNulAndLoneSurrogatesWithANoteInsteadOfDroppingTheEvent() {
        AuditValues.Storable e = AuditValues.of("bad\u0000actor", "token.create", "token:a\u0000b\ud800",
                Map.of("name", "x\ud800y\u0000"));
        assertEquals("bad\\u0000actor", e.actor());
        assertEquals("token:a\\u0000b\\ud800", e.subject());
        assertFalse(e.subject().contains("\u0000"));
        assertTrue(e.payload().contains("\"name\":\"x\\\\ud800y\\u0000\""), e.payload());
        assertTrue(e.payload().contains("\"audit_altered\":{\"actor\":{\"escaped\":true,\"length\":14,"), e.payload());
        assertTrue(e.payload().contains("\"subject\":{\"escaped\":true,\"length\":20,\"sha256\":\""), e.payload());
    }

    @Test
    void shouldCutASubjectOverItsColumnWithAMarkerAndItsFullLength() {
        String subject = "token:" + "n".repeat(994);
        AuditValues.Storable e = AuditValues.of("alice", "token.create", subject, Map.of());
        assertEquals(AuditValues.SUBJECT_MAX, e.subject().codePointCount(0, e.subject().length()));
        assertTrue(e.subject().endsWith(AuditValues.CUT_MARKER), e.subject());
        assertTrue(e.subject().startsWith("token:nnn"));
        assertTrue(e.payload().contains("\"subject\":{\"escaped\":false,\"length\":1000,\"sha256\":\""), e.payload());
    }

    @Test
    void shouldCountCodePointsAsPostgresqlDoes() {
        String subject = "😀".repeat(500);
        assertEquals(subject, AuditValues.of("a", "b", subject, Map.of()).subject());
        String cut = AuditValues.of("a", "b", subject + "😀", Map.of()).subject();
        assertEquals(500, cut.codePointCount(0, cut.length()));
    }

    @Test
    void shouldRecordAPayloadWithoutCanonicalFormAsUnstorable() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("ratio", Double.NaN);
        AuditValues.Storable e = AuditValues.of("a", "b", "c", payload);
        assertTrue(e.payload().startsWith("{\"unstorable_payload\":\""), e.payload());
    }
}
