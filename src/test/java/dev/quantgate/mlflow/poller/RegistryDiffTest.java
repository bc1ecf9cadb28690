package dev.quantgate.mlflow.poller;

import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.registry.RegistryEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryDiffTest {

    private static final Instant AT = Instant.parse("2026-11-26T12:00:00Z");

    private final List<RegistryEvent> events = new ArrayList<>();
    private final List<MlflowModelVersion> refresh = new ArrayList<>();
    private final List<String[]> deleted = new ArrayList<>();

    @Test
    void shouldEmitNothingWhenTheMirrorMatches() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of("k", "v"), false)),
                Map.of("champion", "1"));

        RegistryDiff.diff(model(Map.of("champion", "1")), List.of(version("1", "None", Map.of("k", "v"), List.of())),
                mirrored, AT, events, refresh, deleted);

        assertTrue(events.isEmpty());
        assertTrue(refresh.isEmpty());
        assertTrue(deleted.isEmpty());
    }

    @Test
    void shouldReadAliasesFromVersionsWhenTheModelAnswerLacksThem() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false),
                        "2", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false)),
                Map.of("champion", "1"));

        RegistryDiff.diff(model(Map.of()), List.of(version("1", "None", Map.of(), List.of()),
                version("2", "None", Map.of(), List.of("champion"))), mirrored, AT, events, refresh, deleted);

        assertEquals(1, events.size());
        RegistryEvent moved = events.get(0);
        assertEquals(RegistryEvent.Kind.ALIAS_SET, moved.kind());
        assertEquals("champion", moved.key());
        assertEquals("2", moved.version());
        assertEquals("poller", moved.origin());
        assertEquals(AT, moved.occurredAt());
    }

    @Test
    void shouldReportVersionsGoneFromMlflowOnce() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false),
                        "2", new MirrorSnapshot.Version("None", "READY", null, Map.of(), true)),
                Map.of());

        RegistryDiff.diff(model(Map.of()), List.of(), mirrored, AT, events, refresh, deleted);

        assertEquals(1, deleted.size());
        assertEquals("1", deleted.get(0)[1]);
    }

    @Test
    void shouldTreatEmptyAndMissingDescriptionsAsEqual() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false)), Map.of());

        RegistryDiff.diff(model(Map.of()), List.of(version("1", "None", Map.of(), List.of())), mirrored, AT, events,
                refresh, deleted);

        assertTrue(refresh.isEmpty(), "MLflow answers \"\" for a version without description; webhooks send null");
    }

    private static MlflowModel model(Map<String, String> aliases) {
        return new MlflowModel("m", "", 1L, 1L, Map.of(), aliases);
    }

    private static MlflowModelVersion version(String v, String stage, Map<String, String> tags, List<String> aliases) {
        return new MlflowModelVersion("m", v, 1L, 1L, stage, "", "src", "run", "READY", tags, aliases);
    }
}
