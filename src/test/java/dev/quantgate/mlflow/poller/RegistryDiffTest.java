package dev.quantgate.mlflow.poller;

import dev.quantgate.mlflow.client.MlflowModel;
import dev.quantgate.mlflow.client.MlflowModelVersion;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEvent.Kind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryDiffTest {

    private static final Instant AT = Instant.parse("2026-11-26T12:00:00Z");
    private static final long CREATED = Instant.parse("2026-11-26T09:00:00Z").toEpochMilli();
    private static final long UPDATED = Instant.parse("2026-11-26T11:00:00Z").toEpochMilli();

    private final List<RegistryEvent> events = new ArrayList<>();

    @Test
    void shouldEmitNothingWhenTheMirrorMatches() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of("k", "v"), false)),
                Map.of("champion", "1"));

        RegistryDiff.diff(model(Map.of("champion", "1")), List.of(version("1", "None", Map.of("k", "v"), List.of())),
                mirrored, AT, events);

        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void shouldReadAliasesFromVersionsWhenTheModelAnswerLacksThem() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false),
                        "2", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false)),
                Map.of("champion", "1"));

        RegistryDiff.diff(model(Map.of()), List.of(version("1", "None", Map.of(), List.of()),
                version("2", "None", Map.of(), List.of("champion"))), mirrored, AT, events);

        assertEquals(1, events.size());
        RegistryEvent moved = events.get(0);
        assertEquals(Kind.ALIAS_SET, moved.kind());
        assertEquals("champion", moved.key());
        assertEquals("2", moved.version());
        assertEquals("poller", moved.origin());
        assertEquals(AT, moved.occurredAt(), "MLflow keeps no time of an alias move: the poll dates it");
    }

    @Test
    void shouldReportVersionsGoneFromMlflowOnce() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false),
                        "2", new MirrorSnapshot.Version("None", "READY", null, Map.of(), true)),
                Map.of());

        RegistryDiff.diff(model(Map.of()), List.of(), mirrored, AT, events);

        assertEquals(1, events.size());
        assertEquals(Kind.VERSION_DELETED, events.get(0).kind());
        assertEquals("1", events.get(0).version());
    }

    @Test
    void shouldTreatEmptyAndMissingDescriptionsAsEqual() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "READY", null, Map.of(), false)), Map.of());

        RegistryDiff.diff(model(Map.of()), List.of(version("1", "None", Map.of(), List.of())), mirrored, AT, events);

        assertTrue(events.isEmpty(), "MLflow answers \"\" for a version without description; webhooks send null");
    }

    @Test
    void shouldDateChangesByMlflowsTimestampsAndCarryTheWholeVersion() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model(
                Map.of("1", new MirrorSnapshot.Version("None", "PENDING_REGISTRATION", null, Map.of(), false)),
                Map.of());

        RegistryDiff.diff(model(Map.of()), List.of(new MlflowModelVersion("m", "1", CREATED, UPDATED, "Staging", "",
                        "src", "run", "READY", Map.of(), List.of()),
                new MlflowModelVersion("m", "2", CREATED, UPDATED, "None", "", "src2", "run2", "READY",
                        Map.of("t", "x"), List.of())), mirrored, AT, events);

        RegistryEvent stage = only(Kind.STAGE_CHANGED);
        assertEquals(Instant.ofEpochMilli(UPDATED), stage.occurredAt(), "last_updated_timestamp dates it");
        RegistryEvent updated = only(Kind.VERSION_UPDATED);
        assertEquals("READY", updated.carried().status());
        RegistryEvent created = only(Kind.VERSION_CREATED);
        assertEquals(Instant.ofEpochMilli(CREATED), created.occurredAt(), "creation_timestamp dates it");
        assertEquals("src2", created.carried().source());
        assertEquals("run2", created.carried().runId());
        assertEquals(Map.of("t", "x"), created.carried().tags());
        assertTrue(created.carried().complete(), "the mirror need not ask MLflow again");
    }

    @Test
    void shouldNeverDateAChangeAfterThePollThatSawIt() {
        long future = AT.plusSeconds(3600).toEpochMilli();

        RegistryDiff.diff(new MlflowModel("m", "d", future, future, Map.of(), Map.of()), List.of(), null, AT, events);

        assertEquals(AT, only(Kind.MODEL_CREATED).occurredAt());
    }

    @Test
    void shouldFollowTheModelsDescriptionAndTags() {
        MirrorSnapshot.Model mirrored = new MirrorSnapshot.Model("old", Map.of("owner", "a", "gone", "x"), false,
                Map.of(), Map.of());

        RegistryDiff.diff(new MlflowModel("m", "new", CREATED, UPDATED, Map.of("owner", "b", "team", "c"), Map.of()),
                List.of(), mirrored, AT, events);

        RegistryEvent description = only(Kind.MODEL_UPDATED);
        assertEquals("new", description.value());
        assertEquals(Instant.ofEpochMilli(UPDATED), description.occurredAt());
        assertEquals(List.of("owner=b", "team=c"), events.stream().filter(e -> e.kind() == Kind.MODEL_TAG_SET)
                .map(e -> e.key() + "=" + e.value()).toList());
        assertEquals("gone", only(Kind.MODEL_TAG_DELETED).key());
    }

    private RegistryEvent only(Kind kind) {
        List<RegistryEvent> matching = events.stream().filter(e -> e.kind() == kind).toList();
        assertEquals(1, matching.size(), kind + " in " + events);
        return matching.get(0);
    }

    private static MlflowModel model(Map<String, String> aliases) {
        return new MlflowModel("m", "", 1L, 1L, Map.of(), aliases);
    }

    private static MlflowModelVersion version(String v, String stage, Map<String, String> tags, List<String> aliases) {
        return new MlflowModelVersion("m", v, 1L, 1L, stage, "", "src", "run", "READY", tags, aliases);
    }
}
