package dev.quantgate.audit;

import java.util.Map;

/**
 * Appends events to the hash-chained, insert-only audit trail. Every accepted or rejected
 * webhook delivery, every registry-mirror change and every API write goes through here.
 */
public interface AuditLog {

    /**
     * Appends one event. Joins the caller's transaction when there is one, so the event is
     * committed together with the change it describes (or not at all); otherwise it commits alone.
     *
     * @param actor who did it: a token's name, {@code mlflow-webhook}, {@code mlflow-poller}, {@code system}
     * @param action what was done, dotted lower case, e.g. {@code webhook.accepted}, {@code registry.alias.moved}
     * @param subject what it was done to, e.g. {@code model:fraud/version:3}, {@code delivery:<id>}
     * @param payload details, serialised as canonical JSON (sorted keys); no secrets, no raw bodies
     */
    void append(String actor, String action, String subject, Map<String, ?> payload);
}
