package dev.quantgate.mlflow.webhook;

import java.util.Optional;

/**
 * What an inbox row can hold (the column sizes of {@code webhook_delivery}, migration V8, and
 * PostgreSQL text, which cannot store U+0000). Checked for each delivery before it joins a group
 * commit, so a delivery that cannot be stored is refused alone and never fails its neighbours.
 */
final class InboxRowLimits {

    static final int DELIVERY_ID = 200;
    static final int ENTITY = 100;
    static final int ACTION = 100;
    static final int MODEL_NAME = 500;
    static final int ORDER_KEY = 600;

    private InboxRowLimits() {
    }

    /** Why this row cannot be stored, or empty when it can. */
    static Optional<String> problem(InboxWriter.Row row) {
        return first(
                check("X-MLflow-Delivery-Id", row.deliveryId(), DELIVERY_ID),
                check("entity", row.entity(), ENTITY),
                check("action", row.action(), ACTION),
                check("data.name", row.model(), MODEL_NAME),
                check("the model's ordering key", row.orderKey(), ORDER_KEY),
                row.body() != null && row.body().indexOf('\0') >= 0
                        ? Optional.of("The body holds a NUL character, which cannot be stored") : Optional.empty());
    }

    private static Optional<String> check(String field, String value, int max) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.indexOf('\0') >= 0) {
            return Optional.of("'" + field + "' holds a NUL character (\\u0000), which cannot be stored");
        }
        if (value.length() > max) {
            return Optional.of("'" + field + "' is " + value.length() + " characters long; at most " + max
                    + " are stored");
        }
        return Optional.empty();
    }

    @SafeVarargs
    private static Optional<String> first(Optional<String>... checks) {
        for (Optional<String> check : checks) {
            if (check.isPresent()) {
                return check;
            }
        }
        return Optional.empty();
    }
}
