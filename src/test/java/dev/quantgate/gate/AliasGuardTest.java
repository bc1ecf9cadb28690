package dev.quantgate.gate;

import dev.quantgate.api.Roles;
import dev.quantgate.jobs.JobsTestProfile;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
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

    private static void fire(RegistryChange change) {
        Event<RegistryChange> changes = Arc.container().beanManager().getEvent().select(new TypeLiteral<RegistryChange>() {
        });
        QuarkusTransaction.requiringNew().run(() -> changes.fire(change));
    }

}
