package dev.quantgate.mlflow.webhook;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signed delivery that cannot be stored (a field longer than its inbox column, a NUL) or parsed
 * (50,000 nested arrays) is refused alone with 400 problem+json, stored as rejected, audited and
 * counted; the good deliveries sent at the same moment, which share its group commit, are stored.
 */
@QuarkusTest
@TestProfile(WebhookTestProfile.class)
class PoisonDeliveryTest {

    private static final int NEIGHBOURS = 16;

    @Inject
    WebhookClock clock;

    @Inject
    InboxWriter writer;

    @Inject
    MeterRegistry meters;

    static Stream<Arguments> poisons() {
        return Stream.of(
                Arguments.of("model name over 500 characters",
                        SignedDelivery.tagSet("m".repeat(612), "1", "k", "v"), "'data.name' is 612 characters"),
                Arguments.of("entity over 100 characters",
                        SignedDelivery.body("e".repeat(150), "created", "{\"name\": \"x\"}"), "'entity' is 150 characters"),
                Arguments.of("NUL in the model name",
                        SignedDelivery.tagSet("poison\\u0000model", "1", "k", "v"), "NUL"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poisons")
    void shouldRefuseAnUnstorableDeliveryAloneAndStoreItsNeighbours(String what, String poisonBody, String named)
            throws Exception {
        double rejectedBefore = rejected("unstorable_field");
        String poisonId = UUID.randomUUID().toString();
        List<String> goodIds = new ArrayList<>();
        for (int i = 0; i < NEIGHBOURS; i++) {
            goodIds.add(UUID.randomUUID().toString());
        }
        ExecutorService pool = Executors.newFixedThreadPool(NEIGHBOURS + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Response>> goods = new ArrayList<>();
            for (String id : goodIds) {
                goods.add(pool.submit(() -> {
                    start.await();
                    return SignedDelivery.send(id, SignedDelivery.tagSet("good-" + id, "1", "k", "v"), clock.now(),
                            SignedDelivery.SECRET);
                }));
            }
            Future<Response> poison = pool.submit(() -> {
                start.await();
                return SignedDelivery.send(poisonId, poisonBody, clock.now(), SignedDelivery.SECRET);
            });
            start.countDown();

            poison.get(60, TimeUnit.SECONDS).then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("BAD_REQUEST"))
                    .body("detail", containsString(named));
            for (Future<Response> good : goods) {
                good.get(60, TimeUnit.SECONDS).then().statusCode(202).body("status", equalTo("accepted"));
            }
        } finally {
            pool.shutdownNow();
        }
        for (String id : goodIds) {
            assertNotNull(Inbox.status(id), "neighbour " + id + " is stored");
        }
        assertEquals("rejected", Inbox.status(poisonId));
        assertTrue(Inbox.auditActions(poisonId).contains("mlflow.delivery.rejected"), Inbox.auditActions(poisonId).toString());
        assertEquals(rejectedBefore + 1, rejected("unstorable_field"));
        TestTokens.as(Roles.AUDITOR).get("/api/v1/audit/verify").then().statusCode(200).body("intact", equalTo(true));
    }

    @Test
    void shouldRejectADeeplyNestedSignedBodyAndRecordIt() {
        String id = UUID.randomUUID().toString();
        double rejectedBefore = rejected("malformed_json");
        String nested = "{\"entity\": \"model_version\", \"action\": \"created\", \"data\": "
                + "[".repeat(50_000) + "]".repeat(50_000) + "}";

        SignedDelivery.send(id, nested, clock.now(), SignedDelivery.SECRET)
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("MALFORMED_JSON"))
                .body("detail", containsString("nesting at most"));

        assertEquals("rejected", Inbox.status(id));
        assertTrue(Inbox.auditActions(id).contains("mlflow.delivery.rejected"));
        assertEquals(rejectedBefore + 1, rejected("malformed_json"));
        String good = UUID.randomUUID().toString();
        SignedDelivery.send(good, SignedDelivery.tagSet("after-deep-" + good, "1", "k", "v"), clock.now(),
                SignedDelivery.SECRET).then().statusCode(202);
    }

    @Test
    void shouldStoreRowByRowWhenABatchInsertFails() {
        // A row the receiver's checks would refuse, handed to the writer directly: the batch it joins fails.
        InboxWriter.Row bad = new InboxWriter.Row(UUID.randomUUID().toString(), 1L, "model_version_tag", "set",
                "m", "model:" + "x".repeat(700), "{}");
        List<InboxWriter.Row> goods = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = UUID.randomUUID().toString();
            goods.add(new InboxWriter.Row(id, 1L, "prompt", "created", null, "delivery:" + id,
                    "{\"entity\": \"prompt\", \"action\": \"created\"}"));
        }
        List<CompletableFuture<InboxWriter.Outcome>> stored = new ArrayList<>();
        for (int i = 0; i < goods.size(); i++) {
            stored.add(writer.store(goods.get(i)).toCompletableFuture());
            if (i == goods.size() / 2) {
                stored.add(writer.store(bad).toCompletableFuture());
            }
        }
        CompletableFuture<InboxWriter.Outcome> badOutcome = stored.remove(goods.size() / 2 + 1);

        CompletionException refused = assertThrows(CompletionException.class, () -> badOutcome.orTimeout(30, TimeUnit.SECONDS).join());
        assertInstanceOf(InboxWriter.UnstorableRowException.class, refused.getCause());
        for (CompletableFuture<InboxWriter.Outcome> outcome : stored) {
            assertEquals(InboxWriter.Outcome.STORED, outcome.orTimeout(30, TimeUnit.SECONDS).join());
        }
        for (InboxWriter.Row row : goods) {
            assertNotNull(Inbox.status(row.deliveryId()), "neighbour " + row.deliveryId() + " is stored");
        }
    }

    private double rejected(String reason) {
        Counter counter = meters.find("quantgate.webhook.rejected").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
