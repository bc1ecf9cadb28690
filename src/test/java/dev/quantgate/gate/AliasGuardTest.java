package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import dev.quantgate.mlflow.outbox.OutboxDispatcher;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryMirror;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestDatabase;
import dev.quantgate.registry.RegistryChange;
import dev.quantgate.testing.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.util.TypeLiteral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Revert of alias writes made behind QuantGate's back: a protected alias set or moved in MLflow directly is decided
 * and, unless allowed, put back on its previous holder (or deleted) through the outbox; QuantGate's own writes and
 * their echoes are left alone, and so are aliases no policy protects.
 */
@QuarkusTest
@TestProfile(JobsTestProfile.class)
class AliasGuardTest {

    private static final String ONE_ADMIN = "{required: 1, roles: [admin], not_requester: true}";
    private static final RegistryChange.Origin WEBHOOK = new RegistryChange.Origin(RegistryChange.Origin.Kind.WEBHOOK, "d-1");

    private final List<String> models = new ArrayList<>();

    @AfterEach
    void everyDecisionReplays() {
        GateApi.assertEveryDecisionReplays(models);
    }

    private String model(Integer holder, String rule) {
        String model = GateFixtures.model();
        models.add(model);
        GateFixtures.mirror(model, holder);
        GateFixtures.writePolicy(model, ONE_ADMIN, rule);
        GateFixtures.evidence(model, "a");
        return model;
    }

    @Test
    void shouldPutAProtectedAliasBackOnItsPreviousHolderWhenMovedDirectly() {
        String model = model(1, GateFixtures.FAILING);

        fire(new RegistryChange.AliasMoved(model, "champion", "2", "1", WEBHOOK, Instant.now()));

        List<String> writes = GateFixtures.outboxWrites(model);
        assertEquals(2, writes.size(), writes.toString());
        assertTrue(writes.get(0).startsWith("set-alias ") && writes.get(0).contains("\"version\":\"1\""), writes.toString());
        assertTrue(writes.get(1).contains("\"key\":\"quantgate.gate\"") && writes.get(1).contains("reverted:"),
                writes.toString());
        String decision = writes.get(1).replaceAll(".*reverted:([0-9a-f-]{36}).*", "$1");
        TestTokens.as(Roles.AUDITOR).get("/api/v1/decisions/" + decision).then().statusCode(200)
                .body("outcome", equalTo("deny")).body("target", equalTo("alias:champion"));
        TestTokens.as(Roles.AUDITOR).queryParam("subject", "decision:" + decision).get("/api/v1/audit/events").then()
                .statusCode(200).body("items.action", hasItem("gate.reverted"));
    }

    @Test
    void shouldDeleteAProtectedAliasThatHadNoHolderBefore() {
        String model = model(null, GateFixtures.FAILING);

        fire(new RegistryChange.AliasSet(model, "champion", "2", WEBHOOK, Instant.now()));

        List<String> writes = GateFixtures.outboxWrites(model);
        assertEquals(2, writes.size(), writes.toString());
        assertTrue(writes.get(0).startsWith("delete-alias ") && writes.get(0).contains("\"alias\":\"champion\""),
                writes.toString());
    }

    @Test
    void shouldLeaveAnAllowedMoveAnUnprotectedAliasAndQuantGatesOwnEchoAlone() {
        String allowed = model(1, GateFixtures.PASSING);
        fire(new RegistryChange.AliasMoved(allowed, "champion", "2", "1", WEBHOOK, Instant.now()));
        assertEquals(List.of(), GateFixtures.outboxWrites(allowed), "an allowed move is left alone");

        String denied = model(1, GateFixtures.FAILING);
        fire(new RegistryChange.AliasSet(denied, "staging", "2", WEBHOOK, Instant.now()));
        assertEquals(List.of(), GateFixtures.outboxWrites(denied), "no policy protects 'staging'");

        QuarkusTransaction.requiringNew().run(() -> Arc.container().instance(MlflowOutbox.class).get()
                .enqueue(new MlflowWrite.SetAlias(denied, "champion", "2"), "test-promotion"));
        fire(new RegistryChange.AliasMoved(denied, "champion", "2", "1", WEBHOOK, Instant.now()));
        assertEquals(1, GateFixtures.outboxWrites(denied).size(), "the echo of QuantGate's own set is not reverted: " + GateFixtures.outboxWrites(denied));
    }

    @Test
    void shouldRevertADirectSetThatMlflowReportsAfterQuantGatesRevertWasConfirmedButBeforeItsEcho() throws Exception {
        String model = model(1, GateFixtures.FAILING);
        FakeMlflow fake = FakeMlflow.get();
        fake.seedFromFixtures(model);
        fake.setAlias(model, "champion", 1);

        fake.setAlias(model, "champion", 2); // behind QuantGate's back
        deliver(model, "champion", "2", "direct-1");
        dispatchAll();
        assertEquals(1, fake.alias(model, "champion"), "reverted in MLflow");
        assertEquals(1, mirroredChampion(model), "and in the mirror once MLflow confirmed it, before any echo");

        fake.setAlias(model, "champion", 2); // the same set again, reported before the revert's echo
        deliver(model, "champion", "2", "direct-2");
        dispatchAll();
        assertEquals(1, fake.alias(model, "champion"), "reverted again: the mirror saw 1 -> 2, not 2 -> 2");
        List<String> writes = GateFixtures.outboxWrites(model);
        assertEquals(4, writes.size(), "two reverts, each with its tag: " + writes);

        deliver(model, "champion", "1", "echo-of-the-first-revert");
        deliver(model, "champion", "1", "echo-of-the-second-revert");
        assertEquals(writes, GateFixtures.outboxWrites(model), "the late echoes change nothing and are not reverted");
        assertEquals(1, mirroredChampion(model));
    }

    @Test
    void shouldJudgeADirectSetIntoTheStateOfQuantGatesEarlierConfirmedWrite() throws Exception {
        String model = model(1, GateFixtures.FAILING); // version 1 has no evidence: judged, it is denied
        FakeMlflow fake = FakeMlflow.get();
        fake.seedFromFixtures(model);
        fake.setAlias(model, "champion", 2); // behind QuantGate's back
        deliver(model, "champion", "2", "direct-1");
        dispatchAll(); // reverted to 1, confirmed
        assertEquals(1, fake.alias(model, "champion"));

        fake.deleteAlias(model, "champion"); // then, directly: deleted, and set on 1 again
        RegistryMirror mirror = Arc.container().instance(RegistryMirror.class).get();
        QuarkusTransaction.requiringNew().run(() -> mirror.apply(new RegistryEvent(RegistryEvent.Kind.ALIAS_DELETED,
                model, null, "champion", null, Instant.now(), "webhook:direct-delete")));
        fake.setAlias(model, "champion", 1);
        deliver(model, "champion", "1", "direct-2");

        List<String> writes = GateFixtures.outboxWrites(model);
        assertEquals(4, writes.size(), "the set on 1 is judged, not taken for the confirmed revert's echo: " + writes);
        assertTrue(writes.get(2).startsWith("delete-alias "), writes.toString());
        assertTrue(writes.get(3).contains("\"version\":\"1\"") && writes.get(3).contains("reverted:"), writes.toString());
    }

    @Test
    void shouldRevertADirectSetThatMlflowAppliedAfterQuantGatesRevertAndReportedBeforeItsAnswer() throws Exception {
        String model = model(1, GateFixtures.FAILING);
        FakeMlflow fake = FakeMlflow.get();
        fake.seedFromFixtures(model);
        fake.setAlias(model, "champion", 2); // behind QuantGate's back
        deliver(model, "champion", "2", "direct-1");
        assertEquals(2, mirroredChampion(model));
        // MLflow applies QuantGate's revert, then the same direct set again, whose webhook is delivered before
        // QuantGate has heard MLflow's answer: the mirror still says 2, so that webhook moves nothing
        fake.afterNext("POST /registered-models/alias", model, () -> {
            fake.setAlias(model, "champion", 2);
            deliver(model, "champion", "2", "direct-2");
        });

        OutboxDispatcher dispatcher = Arc.container().instance(OutboxDispatcher.class).get();
        dispatcher.dispatchDue(); // the revert and its tag; reading the alias back finds 2 and judges it

        List<String> writes = GateFixtures.outboxWrites(model);
        assertEquals(4, writes.size(), "a second revert, with its tag, without waiting for a poll: " + writes);
        assertTrue(writes.get(2).startsWith("set-alias ") && writes.get(2).contains("\"version\":\"1\""),
                writes.toString());
        assertTrue(writes.get(3).contains("reverted:"), writes.toString());
        dispatchAll();
        assertEquals(1, fake.alias(model, "champion"), "reverted in MLflow");
        assertEquals(1, mirroredChampion(model));
        assertEquals(4, GateFixtures.outboxWrites(model).size(), "reading back the second revert finds it in place");
    }

    /** A webhook's alias set, through the mirror as the inbox applies it. */
    private static void deliver(String model, String alias, String version, String deliveryId) {
        RegistryMirror mirror = Arc.container().instance(RegistryMirror.class).get();
        QuarkusTransaction.requiringNew().run(() -> mirror.apply(new RegistryEvent(RegistryEvent.Kind.ALIAS_SET, model,
                version, alias, null, Instant.now(), "webhook:" + deliveryId)));
    }

    private static void dispatchAll() {
        OutboxDispatcher dispatcher = Arc.container().instance(OutboxDispatcher.class).get();
        for (int i = 0; i < 20 && dispatcher.dispatchDue() > 0; i++) {
            // until nothing is due
        }
    }

    private static int mirroredChampion(String model) throws java.sql.SQLException {
        try (java.sql.Connection c = TestDatabase.app(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT a.version FROM registry_alias a JOIN registry_model m ON m.id = a.model_id"
                        + " WHERE m.name = ? AND a.alias = 'champion'")) {
            s.setString(1, model);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "the mirror holds champion of " + model);
                return rs.getInt(1);
            }
        }
    }

    private static void fire(RegistryChange change) {
        Event<RegistryChange> changes = Arc.container().beanManager().getEvent().select(new TypeLiteral<RegistryChange>() {
        });
        QuarkusTransaction.requiringNew().run(() -> changes.fire(change));
    }

}
