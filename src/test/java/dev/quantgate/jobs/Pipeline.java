package dev.quantgate.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantgate.mlflow.client.MlflowWrite;
import dev.quantgate.mlflow.outbox.MlflowOutboxEntity;
import dev.quantgate.mlflow.outbox.WriteConfirmed;
import dev.quantgate.registry.RegistryEvent;
import dev.quantgate.registry.RegistryEventSink;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.TestTokens;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.util.TypeLiteral;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Drives the pipeline's edges in tests: a version registered in the fake MLflow and mirrored (as a webhook
 * delivery, a redelivery or a poll would), and MLflow's confirmations of the jobs' writes as the outbox fires them.
 */
final class Pipeline {

    static final String DATASET_TAG = "quantgate.eval_dataset";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Pipeline() {
    }

    /** A fresh {@code jobs-*} model in the fake MLflow (versions 1 and 2), version 1 tagged with its dataset. */
    static String newModel() {
        String model = "jobs-" + TestTokens.shortId();
        FakeMlflow.get().seedFromFixtures(model);
        FakeMlflow.get().setTag(model, 1, DATASET_TAG, "eval/adult.csv");
        return model;
    }

    /**
     * The mirror applies MLflow's creation of the version, from this origin ({@code webhook:<id>}, {@code poller}),
     * and the version's flavor is inspected, as the inspection loop would do next.
     */
    static void registered(String model, int version, String origin) {
        mirrored(model, version, origin);
        inspected();
    }

    /** Only the mirror's part of {@link #registered}: the version then awaits its inspection. */
    static void mirrored(String model, int version, String origin) {
        Arc.container().instance(RegistryEventSink.class).get().apply(new RegistryEvent(
                RegistryEvent.Kind.VERSION_CREATED, model, Integer.toString(version), null, null, Instant.now(), origin));
    }

    /** The inspection loop's next pass: every version due for inspection is inspected (and planned or refused). */
    static int inspected() {
        return Arc.container().instance(SourceInspections.class).get().inspectDue();
    }

    static List<JobEntity> jobs(String model) {
        return QuarkusTransaction.requiringNew().call(() -> JobEntity.<JobEntity>list("modelName = ?1 order by id", model));
    }

    static JobEntity job(long id) {
        return QuarkusTransaction.requiringNew().call(() -> JobEntity.<JobEntity>findById(id));
    }

    /** Every outbox write for this model, oldest first, as its stored kind, path, write and body in one text. */
    static List<String> writes(String model) {
        return QuarkusTransaction.requiringNew().call(() ->
                MlflowOutboxEntity.<MlflowOutboxEntity>list("modelName = ?1 order by id", model).stream()
                        .map(w -> w.kind + " " + w.path + " " + w.writeJson + " " + w.body).toList());
    }

    /** MLflow created the run of every preparing job of the model: they are queued. */
    static void runsCreated(String model) {
        for (JobEntity job : jobs(model)) {
            if (job.jobState() == JobState.PREPARING) {
                ObjectNode answer = JSON.createObjectNode().put("run_id", "run-" + job.id)
                        .put("experiment_id", "1").put("artifact_uri", "mlflow-artifacts:/1/run-" + job.id + "/artifacts");
                confirm(new MlflowWrite.CreateJobRun(model, Integer.toString(job.version), job.id, "quantgate",
                        "run", Map.of()), answer);
            }
        }
    }

    /** MLflow registered the job's variant as this version. */
    static void variantRegistered(JobEntity job, int variantVersion) {
        confirm(new MlflowWrite.CreateVariantVersion(job.modelName, job.id, "runs:/run-" + job.id + "/model",
                job.runId, Map.of()), JSON.createObjectNode().put("version", Integer.toString(variantVersion)));
    }

    private static void confirm(MlflowWrite write, ObjectNode answer) {
        Event<WriteConfirmed> events = Arc.container().beanManager().getEvent().select(new TypeLiteral<WriteConfirmed>() {
        });
        QuarkusTransaction.requiringNew().run(() -> events.fire(new WriteConfirmed(0, write, answer)));
    }
}
