package dev.quantgate.policy.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Policy files ({@code quantgate.policies.*}). */
@ConfigMapping(prefix = "quantgate.policies")
public interface PolicyConfig {

    /**
     * The folder whose {@code *.yaml} files are the policies ({@code QUANTGATE_POLICIES_DIR}); relative
     * paths are resolved against the working directory. A missing folder means no policies.
     */
    @WithDefault("policies")
    String dir();

    /**
     * How often the folder is scanned for changed files (content hash), e.g. {@code 5s}; {@code off}
     * scans only at start and on {@code POST /api/v1/policies/reload}. Read by the scheduler.
     */
    @WithDefault("5s")
    String scanEvery();

    /**
     * Load policies in this process (default). A process in role {@code worker} reaches no database and
     * needs no policies: it sets this to false, and the folder is then neither read nor stored.
     */
    @WithDefault("true")
    boolean enabled();
}
