package dev.quantgate.mlflow.client;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The MLflow tracking server QuantGate reads from and writes to ({@code quantgate.mlflow.*}). */
@ConfigMapping(prefix = "quantgate.mlflow")
public interface MlflowConfig {

    /**
     * Base URL of the MLflow tracking server, e.g. {@code http://mlflow:5000} ({@code QUANTGATE_MLFLOW_URL}).
     * Absent: QuantGate starts without MLflow; anything that needs MLflow fails with a clear error.
     */
    Optional<String> url();

    /** How to authenticate to MLflow: {@code none}, {@code basic} (username, password) or {@code bearer} (token). */
    @WithDefault("none")
    AuthMode auth();

    /** User name for {@code basic} authentication. */
    Optional<String> username();

    /** Password for {@code basic} authentication. */
    Optional<String> password();

    /** Token for {@code bearer} authentication (e.g. a Databricks personal access token). */
    Optional<String> token();

    /** Longest wait to open a connection to MLflow. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Longest wait for MLflow's answer to one request. */
    @WithDefault("30s")
    Duration readTimeout();

    /**
     * HTTP version of the JSON REST calls: {@code HTTP_1_1} (default; every MLflow server speaks it) or
     * {@code HTTP_2} (on {@code http://} this offers an {@code Upgrade: h2c}, which MLflow behind uvicorn
     * before 0.19 refuses with 400 "Unsupported upgrade request.").
     */
    @WithDefault("HTTP_1_1")
    HttpVersion httpVersion();

    /**
     * How often the poller reconciles the mirror with MLflow's registry ({@code QUANTGATE_MLFLOW_POLL_INTERVAL}),
     * when an MLflow URL is configured: it catches what webhooks do not report (stage transitions, deletions,
     * description and tag updates) and changes made while QuantGate was down. {@code 0} turns it off.
     */
    @WithDefault("5m")
    Duration pollInterval();

    /** Page size of the poller's searches ({@code max_results}). */
    @WithDefault("200")
    int pollPageSize();

    /** The durable outbox of writes to MLflow. */
    Outbox outbox();

    interface Outbox {

        /** How often due writes are sent: a duration such as {@code 2s}, or {@code off} (then only on demand). */
        @WithDefault("2s")
        String dispatchEvery();

        /** Wait before the first retry of a write MLflow could not take; doubles on each failure. */
        @WithDefault("2s")
        Duration initialBackoff();

        /** The longest wait between two attempts of one write. */
        @WithDefault("10m")
        Duration maxBackoff();

        /** Most writes sent per dispatch run. */
        @WithDefault("100")
        int batchSize();

        /**
         * How long a dispatcher's claim on a write lasts; it is renewed every third of this while the write is
         * sent, so a write whose dispatcher died is sent again by another (or the restarted one) within this.
         */
        @WithDefault("30s")
        Duration claimLength();

        /**
         * After a confirmed alias write, the alias is read back from MLflow to catch a direct write made meanwhile:
         * {@code async} (off the confirming thread), {@code inline} (it waits: tests) or {@code off}.
         */
        @WithDefault("async")
        String verifyAliasWrites();
    }

    enum AuthMode {
        none, basic, bearer
    }

    enum HttpVersion {
        HTTP_1_1, HTTP_2
    }
}
