package dev.quantgate.gate;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The promotion gate ({@code quantgate.gate.*}). */
@ConfigMapping(prefix = "quantgate.gate")
public interface GateConfig {

    /** How long a promotion request waits for its approvals before it expires. */
    @WithDefault("P7D")
    Duration requestTtl();

    /** How often waiting requests past their time are marked expired ({@code off}: never on a timer). */
    @WithDefault("60s")
    String expireEvery();
}
