package dev.quantgate.mlflow.outbox;

import dev.quantgate.kernel.Failures;
import dev.quantgate.kernel.retry.Outcome;
import dev.quantgate.kernel.retry.RetryHandler;
import dev.quantgate.mlflow.client.MlflowException;
import dev.quantgate.mlflow.client.MlflowRegistryClient;
import org.jboss.logging.Logger;

/**
 * Sends one claimed write to MLflow (no transaction is open): accepted is done; unreachable, 429 or
 * 5xx is retried later; any other refusal is permanent. Reasons are MLflow's own words or, for an
 * unexpected failure, a message naming the log reference.
 */
final class WriteSender implements RetryHandler<OutboxDispatcher.ClaimedWrite> {

    private static final Logger LOG = Logger.getLogger(WriteSender.class);

    private final MlflowRegistryClient mlflow;

    WriteSender(MlflowRegistryClient mlflow) {
        this.mlflow = mlflow;
    }

    @Override
    public Outcome handle(OutboxDispatcher.ClaimedWrite write) {
        if (write.write() == null) {
            return new Outcome.FailedForGood("MLflow write " + write.id() + " cannot be sent as stored: "
                    + Failures.clip(write.unreadable()));
        }
        try {
            write.answer().set(mlflow.execute(write.write(), write.madeAt()));
            return new Outcome.Done("sent");
        } catch (MlflowException e) {
            String reason = Failures.clip(String.valueOf(e.getMessage()));
            return e.retryable() ? new Outcome.RetryLater(reason) : new Outcome.FailedForGood(reason);
        } catch (IllegalArgumentException e) {
            return new Outcome.FailedForGood(Failures.logged(LOG, Logger.Level.ERROR,
                    "MLflow write " + write.id() + " (" + write.description() + ") cannot be sent as stored", e));
        }
    }
}
