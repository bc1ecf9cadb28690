package dev.quantgate.jobs;

import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The {@code quantgate.status} and {@code quantgate.variants} tags on a source version, written through the
 * outbox in the caller's transaction, each value once: {@code job_source_status} remembers what was written.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class SourceStatus {

    public static final String STATUS = "quantgate.status";
    public static final String VARIANTS = "quantgate.variants";
    static final String UNSUPPORTED_FLAVOR = "unsupported_flavor:";

    private final EntityManager em;
    private final MlflowOutbox outbox;
    private final Clock clock;

    public SourceStatus(EntityManager em, MlflowOutbox outbox, Clock clock) {
        this.em = em;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Tags the source version with this status unless that is what it says already. */
    public void status(String model, int version, String status) {
        write(model, version, "status", STATUS, status);
    }

    /**
     * Once every job of the version is done: {@code evaluated} when one made a variant, {@code not_applicable}
     * when the quantizer could help none, the unsupported flavor when that failed them, else {@code failed};
     * and {@code quantgate.variants} once every variant's version is known.
     */
    public void settle(String model, int version) {
        List<JobEntity> jobs = JobEntity.ofVersion(model, version);
        if (jobs.isEmpty() || jobs.stream().anyMatch(j -> !j.jobState().terminal())) {
            return;
        }
        List<JobEntity> succeeded = jobs.stream().filter(j -> j.jobState() == JobState.SUCCEEDED).toList();
        String status;
        if (!succeeded.isEmpty()) {
            status = "evaluated";
        } else if (jobs.stream().allMatch(j -> j.jobState() == JobState.NOT_APPLICABLE)) {
            status = "not_applicable";
        } else {
            status = jobs.stream().map(j -> j.errorCode).filter(Objects::nonNull)
                    .filter(c -> c.startsWith(UNSUPPORTED_FLAVOR)).findFirst().orElse("failed");
        }
        status(model, version, status);
        if (!succeeded.isEmpty() && succeeded.stream().allMatch(j -> j.variantVersion != null)) {
            String variants = succeeded.stream().map(j -> j.variantVersion).sorted().map(String::valueOf)
                    .collect(Collectors.joining(","));
            write(model, version, "variants", VARIANTS, variants);
        }
    }

    private void write(String model, int version, String column, String tag, String value) {
        // column is one of two constants above, never input
        int changed = em.createNativeQuery("INSERT INTO job_source_status (model_name, version, " + column
                        + ", updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (model_name, version) DO UPDATE SET "
                        + column + " = EXCLUDED." + column + ", updated_at = EXCLUDED.updated_at"
                        + " WHERE job_source_status." + column + " IS DISTINCT FROM EXCLUDED." + column)
                .setParameter(1, model).setParameter(2, version).setParameter(3, value)
                .setParameter(4, clock.instant().truncatedTo(ChronoUnit.MICROS))
                .executeUpdate();
        if (changed == 1) {
            outbox.enqueue(new MlflowWrite.SetVersionTag(model, Integer.toString(version), tag, value), Planner.ACTOR);
        }
    }
}
