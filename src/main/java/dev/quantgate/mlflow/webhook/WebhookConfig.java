package dev.quantgate.mlflow.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The MLflow webhook receiver and its inbox ({@code quantgate.webhook.*}). */
@ConfigMapping(prefix = "quantgate.webhook")
public interface WebhookConfig {

    /**
     * Secrets the MLflow webhooks were created with ({@code QUANTGATE_WEBHOOK_SECRETS},
     * comma-separated). A delivery signed with any of them is accepted, so a secret is rotated by
     * adding the new one, switching MLflow over, then removing the old one.
     */
    Optional<List<String>> secrets();

    /**
     * Accept deliveries that carry no {@code X-MLflow-Signature} (an MLflow webhook created without a
     * secret). Off by default: anyone who can reach the endpoint could then inject registry events.
     */
    @WithDefault("false")
    boolean allowUnsigned();

    /** How far {@code X-MLflow-Timestamp} may be from this server's clock before a delivery is refused (replay guard). */
    @WithDefault("300s")
    Duration timestampTolerance();

    /** The largest body accepted, in bytes; larger deliveries are refused with 413 without being read whole. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** Asynchronous processing of stored deliveries. */
    Inbox inbox();

    interface Inbox {

        /** Failed attempts after which a delivery is parked (kept with its error until an admin retries it). */
        @WithDefault("8")
        int maxAttempts();

        /** Wait before the second attempt; doubled after each further failure. */
        @WithDefault("1s")
        Duration backoffInitial();

        /** The longest wait between two attempts. */
        @WithDefault("5m")
        Duration backoffMax();

        /**
         * How waits are spread so that deliveries that failed together do not retry together: {@code none},
         * {@code full} (anywhere up to the wait) or {@code equal} (between half the wait and the wait).
         */
        @WithDefault("equal")
        String backoffJitter();

        /**
         * How long a processor's claim on a delivery lasts; it is renewed every third of this while the delivery is
         * processed, so a slow MLflow read never lets another processor take it, and a claim left by a crash is
         * taken over within this.
         */
        @WithDefault("30s")
        Duration claimTimeout();

        /** Processing threads; deliveries for one registered model are still processed one at a time, in order. */
        @WithDefault("2")
        int workers();

        /** How often idle processing threads look for due retries (new deliveries wake them at once). */
        @WithDefault("1s")
        Duration pollInterval();

        /** The most deliveries stored in one database transaction (concurrent deliveries share a commit). */
        @WithDefault("256")
        int writeBatch();

        /**
         * Threads storing deliveries. A delivery arriving while a commit is in flight is stored by an
         * idle writer at once instead of waiting for that commit.
         */
        @WithDefault("3")
        int writers();

        /** Start the processing threads (off only to inspect the inbox without processing it). */
        @WithDefault("true")
        boolean enabled();
    }
}
