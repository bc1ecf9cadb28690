package dev.quantgate.worker;

import java.nio.file.Path;
import java.util.function.Consumer;

/** Runs one leased job to its outcome; {@link JobExecutor} is the real one. Must not throw. */
@FunctionalInterface
public interface JobRunner {

    /**
     * @param workDir  an empty directory the job owns; the caller deletes it afterwards
     * @param progress hears each stage as the job reaches it (its latest value rides on the next heartbeat)
     */
    JobOutcome execute(JobAssignment job, ArtifactPort artifacts, Path workDir, Consumer<Progress> progress);
}
