package dev.quantgate.registry;

import dev.quantgate.registry.RegistryChange.AliasDeleted;
import dev.quantgate.registry.RegistryChange.AliasMoved;
import dev.quantgate.registry.RegistryChange.AliasSet;
import dev.quantgate.registry.RegistryChange.ModelDeleted;
import dev.quantgate.registry.RegistryChange.ModelDescriptionChanged;
import dev.quantgate.registry.RegistryChange.ModelRegistered;
import dev.quantgate.registry.RegistryChange.ModelTagDeleted;
import dev.quantgate.registry.RegistryChange.ModelTagSet;
import dev.quantgate.registry.RegistryChange.Origin;
import dev.quantgate.registry.RegistryChange.StageChanged;
import dev.quantgate.registry.RegistryChange.TagDeleted;
import dev.quantgate.registry.RegistryChange.TagSet;
import dev.quantgate.registry.RegistryChange.VersionDeleted;
import dev.quantgate.registry.RegistryChange.VersionReady;
import dev.quantgate.registry.RegistryChange.VersionRegistered;
import dev.quantgate.registry.RegistryChange.VersionUpdated;
import dev.quantgate.registry.RegistryEvent.Carried;
import dev.quantgate.registry.RegistryEvent.Kind;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mirror publishes each typed change once, inside its transaction, and never again for an applied event. */
@QuarkusTest
class RegistryChangesTest {

    private static final Instant T1 = Instant.parse("2026-11-26T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-26T11:00:00Z");
    private static final Carried POLLED = new Carried(null, null, null, null, null, Map.of(), true);

    @Inject
    RegistryEventSink sink;

    @Inject
    RecordedChanges recorded;

    String model;

    @BeforeEach
    void seed() {
        FakeMlflow fake = FakeMlflow.get();
        fake.reset();
        model = "changes-" + TestTokens.shortId();
        fake.seedFromFixtures(model);
    }

    @Test
    void shouldPublishEachKindOnceAndNothingForAnEventAlreadyApplied() {
        List<RegistryChange> registered = applyTwice(event(Kind.VERSION_CREATED, "1", null, null, "webhook:d-1"),
                ModelRegistered.class, VersionRegistered.class, VersionReady.class);
        ModelRegistered modelRegistered = (ModelRegistered) registered.get(0);
        assertEquals(Map.of("owner", "team-a"), modelRegistered.tags());
        assertEquals(new Origin(Origin.Kind.WEBHOOK, "d-1"), modelRegistered.origin());
        VersionRegistered version = (VersionRegistered) registered.get(1);
        assertEquals("1", version.version());
        assertEquals("2a53c6c0592b43919359cc3e5694dd7a", version.runId());
        assertEquals("mlflow-artifacts:/1/2a53c6c0592b43919359cc3e5694dd7a/artifacts/model", version.source());
        assertEquals(Map.of("validation_status", "pending"), version.tags());
        assertEquals(T1, version.at());

        applyTwice(event(Kind.VERSION_TAG_SET, "1", "k", "v", "webhook:d-2"), TagSet.class);
        applyTwice(event(Kind.VERSION_TAG_DELETED, "1", "k", null, "webhook:d-3"), TagDeleted.class);
        AliasSet set = (AliasSet) applyTwice(event(Kind.ALIAS_SET, "1", "champion", null, "webhook:d-4"),
                AliasSet.class).get(0);
        assertEquals("1", set.version());
        List<RegistryChange> moved = applyTwice(event(Kind.ALIAS_SET, "2", "champion", null, "webhook:d-5"),
                VersionRegistered.class, VersionReady.class, AliasMoved.class);
        assertEquals("1", ((AliasMoved) moved.get(2)).previousVersion());
        assertEquals("2", ((AliasDeleted) applyTwice(event(Kind.ALIAS_DELETED, null, "champion", null, "webhook:d-6"),
                AliasDeleted.class).get(0)).previousVersion());
        StageChanged stage = (StageChanged) applyTwice(event(Kind.STAGE_CHANGED, "1", null, "Staging", "poller"),
                StageChanged.class).get(0);
        assertEquals("None", stage.previousStage());
        assertEquals(new Origin(Origin.Kind.POLL, null), stage.origin());
        applyTwice(polled(Kind.MODEL_UPDATED, null, null, "new description"), ModelDescriptionChanged.class);
        applyTwice(polled(Kind.MODEL_TAG_SET, null, "risk", "high"), ModelTagSet.class);
        applyTwice(polled(Kind.MODEL_TAG_DELETED, null, "risk", null), ModelTagDeleted.class);
        applyTwice(new RegistryEvent(Kind.VERSION_UPDATED, model, "1", null, "validated", T2, "poller",
                new Carried(null, null, "READY", null, null, Map.of(), true)), VersionUpdated.class);
        applyTwice(polled(Kind.VERSION_DELETED, "2", null, null), VersionDeleted.class);
        applyTwice(polled(Kind.MODEL_DELETED, null, null, null), ModelDeleted.class);

        // after commit, the same changes (CDI runs one transaction's AFTER_SUCCESS observers in no promised order)
        assertEquals(recorded.of(model).size(), recorded.committed(model).size());
        assertEquals(new java.util.HashSet<>(recorded.of(model)), new java.util.HashSet<>(recorded.committed(model)));
    }

    @Test
    void shouldPublishVersionReadyWhenRegistrationFinishesLater() {
        sink.apply(new RegistryEvent(Kind.VERSION_CREATED, model, "7", null, null, T1, "poller",
                new Carried("src", "run", "PENDING_REGISTRATION", "None", T1, Map.of(), true)));
        assertTrue(recorded.of(model).stream().noneMatch(c -> c instanceof VersionReady));

        applyTwice(new RegistryEvent(Kind.VERSION_UPDATED, model, "7", null, null, T2, "poller",
                new Carried(null, null, "READY", null, null, Map.of(), true)), VersionUpdated.class, VersionReady.class);
    }

    /** Applies an event through both phases, then again; answers what the first application published. */
    @SafeVarargs
    private List<RegistryChange> applyTwice(RegistryEvent event, Class<? extends RegistryChange>... expected) {
        int before = recorded.of(model).size();
        int changes = sink.apply(sink.prepare(event));
        List<RegistryChange> published = recorded.of(model).subList(before, recorded.of(model).size());
        assertEquals(List.of(expected), published.stream().map(Object::getClass).toList(), event.toString());
        assertTrue(changes >= 1, event + " changed the mirror");

        assertEquals(0, sink.apply(sink.prepare(event)), "applied again: " + event);
        assertEquals(before + expected.length, recorded.of(model).size(), "nothing published again: " + event);
        return List.copyOf(published);
    }

    private RegistryEvent event(Kind kind, String version, String key, String value, String origin) {
        return new RegistryEvent(kind, model, version, key, value, T1, origin);
    }

    private RegistryEvent polled(Kind kind, String version, String key, String value) {
        return new RegistryEvent(kind, model, version, key, value, T2, "poller", POLLED);
    }
}
