package dev.quantgate.kernel;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;

/**
 * Runs an action once the current transaction has committed, for wake-ups that must not run
 * before the rows they announce are visible to other transactions (and not at all on rollback).
 * Outside a transaction the action runs at once.
 */
@ApplicationScoped
public class AfterCommit {

    private static final Logger LOG = Logger.getLogger(AfterCommit.class);

    private final TransactionSynchronizationRegistry transactions;

    public AfterCommit(TransactionSynchronizationRegistry transactions) {
        this.transactions = transactions;
    }

    /** Runs {@code action} after the current transaction commits; never when it rolls back. */
    public void run(Runnable action) {
        if (transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            action.run();
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // nothing to do before: the action is about what was committed
            }

            @Override
            public void afterCompletion(int status) {
                if (status != Status.STATUS_COMMITTED) {
                    return;
                }
                try {
                    action.run();
                } catch (RuntimeException e) {
                    // the transaction is committed; a failing wake-up must not look like a failed commit
                    LOG.warnf(e, "An after-commit action failed");
                }
            }
        });
    }
}
