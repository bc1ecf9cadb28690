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
            return null;
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
            return null;
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
}
