package dev.quantgate.mlflow.webhook;

import dev.quantgate.api.Roles;
import dev.quantgate.testing.TestTokens;
import io.restassured.response.Response;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Reads the inbox and the audit trail through the API, as an admin, for the webhook tests. */
final class Inbox {

    private Inbox() {
    }

    /** The delivery's status, or {@code null} when it is not in the inbox. */
    static String status(String deliveryId) {
        Response response = TestTokens.as(Roles.ADMIN).get("/api/v1/mlflow/deliveries/" + deliveryId);
        if (response.statusCode() == 404) {
            return null;
        }
        return response.then().statusCode(200).extract().path("status");
    }

    static Response delivery(String deliveryId) {
        return TestTokens.as(Roles.ADMIN).get("/api/v1/mlflow/deliveries/" + deliveryId);
    }

    /** Waits until the delivery has left pending/retrying, and returns its final status. */
    static String awaitSettled(String deliveryId) {
        await(() -> {
            String s = status(deliveryId);
            return s != null && !s.equals("pending") && !s.equals("retrying");
        }, Duration.ofSeconds(20), "delivery " + deliveryId + " to be processed");
        return status(deliveryId);
    }

    /** The actions of the audit events about this delivery, oldest first. */
    static List<String> auditActions(String deliveryId) {
        return TestTokens.as(Roles.ADMIN).queryParam("subject", "delivery:" + deliveryId).queryParam("limit", 500)
                .get("/api/v1/audit/events").then().statusCode(200).extract().path("items.action");
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
