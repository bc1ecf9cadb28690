package dev.quantgate.gate.proxy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** QuantGate's MLflow proxy ({@code quantgate.proxy.*}): MLflow's API, artifacts and UI, gated, on a port of its own. */
@ConfigMapping(prefix = "quantgate.proxy")
public interface ProxyConfig {

    /**
     * Whether the proxy runs ({@code QUANTGATE_PROXY_ENABLED}). Unset: it runs when {@code quantgate.mlflow.url} is
     * configured. A process of role {@code worker} never runs it.
     */
    Optional<Boolean> enabled();

    /** The port it listens on ({@code QUANTGATE_PROXY_PORT}); {@code 0} picks a free one (the tests do). */
    @WithDefault("5001")
    int port();

    /** The interface it listens on. */
    @WithDefault("0.0.0.0")
    String host();

    /**
     * Largest body read of a call the gate decides (an alias set, a stage transition); a larger one is answered
     * 400 {@code INVALID_PARAMETER_VALUE} and not forwarded. Every other body streams through unbounded.
     */
    @WithDefault("65536")
    int maxDecidedBodyBytes();

    /** Most connections kept open to MLflow at once (per event loop). */
    @WithDefault("64")
    int maxConnections();

    /** How many event loops serve the proxy's port ({@code 0}: one per CPU core). */
    @WithDefault("0")
    int eventLoops();
}
