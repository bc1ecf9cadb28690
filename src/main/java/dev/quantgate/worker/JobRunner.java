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

    /**
     * Does, ahead of the job's turn, what it can do without disturbing the job before it (fetching its inputs into
     * {@code workDir}), and answers the runner that then runs it from there, called with the same job, port and
     * directory. Called on another thread while the previous job evaluates; must not throw. By default nothing is
     * done ahead.
     */
    default JobRunner ahead(JobAssignment job, ArtifactPort artifacts, Path workDir) {
        return this;
    }
}
