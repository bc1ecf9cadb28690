package dev.quantgate.mlflow.webhook;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asynchronous processing of the inbox: order per model, retries with exponential backoff, parking
 * after {@code max-attempts} (3 in {@link WebhookTestProfile}) and the admin's retry.
 */
@QuarkusTest
@TestProfile(WebhookTestProfile.class)
class InboxProcessingTest {

    @Inject
    ControllableSink sink;

    @Inject
    WebhookClock clock;

    @Test
    void shouldProcessDeliveriesOfOneModelInArrivalOrder() {
        String slow = "ordered-" + UUID.randomUUID();
        String other = "parallel-" + UUID.randomUUID();
        sink.slowDown(slow, 15);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(send(slow, "v" + i));
            send(other, "v" + i);
        }

        Inbox.await(() -> sink.callsFor(slow).size() == 20 && sink.callsFor(other).size() == 20,
                Duration.ofSeconds(30), "40 deliveries to be processed");
        List<String> order = sink.callsFor(slow).stream().map(c -> c.event().value()).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("v" + i);
        }
        assertEquals(expected, order, "two workers, yet one model's events arrive at the sink in order");
        ids.forEach(id -> assertEquals("processed", Inbox.status(id)));
    }

    @Test
    void shouldRetryWithGrowingBackoffAndHoldLaterDeliveriesOfTheModel() {
        String model = "flaky-" + UUID.randomUUID();
        sink.failNext(model, 2);

        String first = send(model, "first");
        String second = send(model, "second");

        assertEquals("processed", Inbox.awaitSettled(first));
        assertEquals("processed", Inbox.awaitSettled(second));
        List<ControllableSink.Call> calls = sink.callsFor(model);
        assertEquals(List.of("first", "first", "first", "second"), calls.stream().map(c -> c.event().value()).toList(),
                "the second delivery waits until the first has gone through");
        long firstWait = Duration.between(calls.get(0).at(), calls.get(1).at()).toMillis();
        long secondWait = Duration.between(calls.get(1).at(), calls.get(2).at()).toMillis();
        assertTrue(firstWait >= 150, "first retry after the initial backoff (150 ms), was " + firstWait);
        assertTrue(secondWait >= 300, "second retry after twice that (300 ms), was " + secondWait);
        Inbox.delivery(first).then().body("attempts", equalTo(3)).body("lastError", nullValue());
        List<String> actions = Inbox.auditActions(first);
        assertEquals(List.of("mlflow.delivery.accepted", "mlflow.delivery.failed", "mlflow.delivery.failed",
                "mlflow.delivery.processed"), actions);
    }

    @Test
    void shouldParkAfterMaxAttemptsAndLetTheAdminRetry() {
        String model = "broken-" + UUID.randomUUID();
        sink.failNext(model, -1);
        String poisoned = send(model, "poison");
        String later = send(model, "later");

        assertEquals("parked", Inbox.awaitSettled(poisoned));
        Inbox.delivery(poisoned).then()
                .body("attempts", equalTo(3))
                .body("lastError", containsString("MLflow unreachable"));
        TestTokens.as(Roles.AUDITOR).queryParam("status", "parked").queryParam("limit", 500)
                .get("/api/v1/mlflow/deliveries").then().statusCode(200)
                .body("items.id", hasItem(poisoned));
        assertTrue(Inbox.auditActions(poisoned).contains("mlflow.delivery.parked"));
        // A parked delivery no longer holds up its model: the next one goes on (and is parked too, the model still fails).
        assertEquals("parked", Inbox.awaitSettled(later));

        sink.heal(model);
        TestTokens.as(Roles.ADMIN).post("/api/v1/mlflow/deliveries/" + poisoned + "/retry").then().statusCode(200)
                .body("id", equalTo(poisoned))
                .body("attempts", equalTo(0));

        assertEquals("processed", Inbox.awaitSettled(poisoned));
        assertEquals("parked", Inbox.status(later), "only the delivery the admin named is retried");
        TestTokens.as(Roles.ADMIN).post("/api/v1/mlflow/deliveries/" + later + "/retry").then().statusCode(200);
        assertEquals("processed", Inbox.awaitSettled(later));
        List<String> actions = Inbox.auditActions(poisoned);
        assertTrue(actions.contains("mlflow.delivery.retry"), actions.toString());
        assertTrue(actions.indexOf("mlflow.delivery.processed") > actions.indexOf("mlflow.delivery.parked"),
                actions.toString());
    }

    @Test
    void shouldRefuseToRetryADeliveryThatIsNotParked() {
        String id = send("fine-" + UUID.randomUUID(), "ok");
        assertEquals("processed", Inbox.awaitSettled(id));

        TestTokens.as(Roles.ADMIN).post("/api/v1/mlflow/deliveries/" + id + "/retry").then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("is processed"));
        TestTokens.as(Roles.ADMIN).post("/api/v1/mlflow/deliveries/" + UUID.randomUUID() + "/retry").then()
                .statusCode(404).body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void shouldPageThroughDeliveriesWithACursor() {
        String model = "paged-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            send(model, "p" + i);
        }
        String next = TestTokens.as(Roles.ENGINEER).queryParam("limit", 2).get("/api/v1/mlflow/deliveries")
                .then().statusCode(200)
                .body("items", hasSize(2))
                .body("next", notNullValue())
                .extract().path("next");
        TestTokens.as(Roles.ENGINEER).queryParam("limit", 2).queryParam("after", next).get("/api/v1/mlflow/deliveries")
                .then().statusCode(200)
                .body("items[0].seq", equalTo(Integer.parseInt(next) + 1));
    }

    @Test
    void shouldRejectAnUnknownStatusFilter() {
        TestTokens.as(Roles.AUDITOR).queryParam("status", "exploded").get("/api/v1/mlflow/deliveries")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("VALIDATION_FAILED"))
                .body("detail", containsString("parked"));
    }

    private String send(String model, String value) {
        String id = UUID.randomUUID().toString();
        SignedDelivery.send(id, SignedDelivery.tagSet(model, "1", "stage", value), clock.now(), SignedDelivery.SECRET)
                .then().statusCode(202);
        return id;
    }
}
