package dev.quantgate.registry;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each alias points now ({@code registry_alias}) and since when each version held it
 * ({@code registry_alias_history}), changed together. Runs in the mirror's transaction, with the
 * model's row locked.
 */
final class AliasAssignments {

    private static final String POLLER = "poller";

    private AliasAssignments() {
    }

    /**
     * Points an alias at a version from {@code at} on, closing the previous holder's interval.
     *
     * @return the change for the audit trail, or {@code null} when the alias already pointed there
     */
    static Map<String, Object> set(long modelId, String alias, int version, Instant at, String origin) {
        RegistryAliasEntity current = RegistryAliasEntity.findAlias(modelId, alias).orElse(null);
        if (current != null && current.version == version) {
            return redateSet(modelId, alias, current, at, origin);
        }
        Instant from = at.truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("alias", alias);
        change.put("version", Integer.toString(version));
        RegistryAliasHistoryEntity open = RegistryAliasHistoryEntity.findOpen(modelId, alias).orElse(null);
        if (open != null) {
            // Never let an interval end before it began (a late event, or clock skew between MLflow and us).
            from = from.isBefore(open.validFrom) ? open.validFrom : from;
            open.validTo = from;
            open.clearedBy = origin;
            // the closed interval must reach the database before the new open one (one open interval per alias)
            RegistryAliasHistoryEntity.getEntityManager().flush();
        }
        if (current == null) {
            current = new RegistryAliasEntity();
            current.modelId = modelId;
            current.alias = alias;
        } else {
            change.put("previousVersion", Integer.toString(current.version));
        }
        current.version = version;
        current.since = from;
        current.persist();
        RegistryAliasHistoryEntity interval = new RegistryAliasHistoryEntity();
        interval.modelId = modelId;
        interval.alias = alias;
        interval.version = version;
        interval.validFrom = from;
        interval.setBy = origin;
        interval.persist();
        change.put("at", from.toString());
        return change;
    }

    /**
     * Removes an alias from {@code at} on, closing its interval.
     *
     * @return the change for the audit trail, or {@code null} when there was no such alias (MLflow
     *         reports deleting an alias that never existed, too)
     */
    static Map<String, Object> delete(long modelId, String alias, Instant at, String origin) {
        RegistryAliasEntity current = RegistryAliasEntity.findAlias(modelId, alias).orElse(null);
        if (current == null) {
            return redateDelete(modelId, alias, at, origin);
        }
        Instant to = at.truncatedTo(ChronoUnit.MICROS);
        RegistryAliasHistoryEntity open = RegistryAliasHistoryEntity.findOpen(modelId, alias).orElse(null);
        if (open != null) {
            to = to.isBefore(open.validFrom) ? open.validFrom : to;
            open.validTo = to;
            open.clearedBy = origin;
        }
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("alias", alias);
        change.put("previousVersion", Integer.toString(current.version));
        change.put("at", to.toString());
        current.delete();
        return change;
    }

    /**
     * The poller noticed this alias move first and could only date it by the poll; the webhook that now
     * reports the same move carries MLflow's exact time, which then dates the interval (and ends the
     * previous holder's), never earlier than the previous interval began.
     *
     * @return the correction for the audit trail ({@code redated}), or {@code null} when there is none to make
     */
    private static Map<String, Object> redateSet(long modelId, String alias, RegistryAliasEntity current, Instant at,
                                                 String origin) {
        RegistryAliasHistoryEntity open = RegistryAliasHistoryEntity.findOpen(modelId, alias).orElse(null);
        if (!isWebhook(origin) || open == null || !POLLER.equals(open.setBy) || open.version != current.version) {
            return null;
        }
        Instant from = at.truncatedTo(ChronoUnit.MICROS);
        RegistryAliasHistoryEntity previous = RegistryAliasHistoryEntity.<RegistryAliasHistoryEntity>find(
                        "modelId = ?1 and alias = ?2 and validTo = ?3 and clearedBy = ?4 and id <> ?5 order by id desc",
                        modelId, alias, open.validFrom, POLLER, open.id)
                .firstResultOptional().orElse(null);
        if (previous != null && !from.isAfter(previous.validFrom)) {
            return null; // older than the previous holder's interval: a stale delivery, not this move
        }
        if (!from.isBefore(open.validFrom)) {
            return null;
        }
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("alias", alias);
        change.put("version", Integer.toString(current.version));
        change.put("at", from.toString());
        change.put("polledAt", open.validFrom.toString());
        change.put("redated", true);
        if (previous != null) {
            previous.validTo = from;
            previous.clearedBy = origin;
        }
        open.validFrom = from;
        open.setBy = origin;
        current.since = from;
        return change;
    }

    /** As {@link #redateSet}, for a deletion the poller noticed first: the webhook's time ends the interval. */
    private static Map<String, Object> redateDelete(long modelId, String alias, Instant at, String origin) {
        if (!isWebhook(origin)) {
            return null;
        }
        RegistryAliasHistoryEntity last = RegistryAliasHistoryEntity.<RegistryAliasHistoryEntity>find(
                "modelId = ?1 and alias = ?2 order by id desc", modelId, alias).firstResultOptional().orElse(null);
        Instant to = at.truncatedTo(ChronoUnit.MICROS);
        if (last == null || last.validTo == null || !POLLER.equals(last.clearedBy) || !to.isBefore(last.validTo)) {
            return null;
        }
        if (!to.isAfter(last.validFrom)) {
            return null;
        }
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("alias", alias);
        change.put("previousVersion", Integer.toString(last.version));
        change.put("at", to.toString());
        change.put("polledAt", last.validTo.toString());
        change.put("redated", true);
        last.validTo = to;
        last.clearedBy = origin;
        return change;
    }

    private static boolean isWebhook(String origin) {
        return origin.startsWith("webhook:");
    }
}
