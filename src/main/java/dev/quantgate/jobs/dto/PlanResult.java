package dev.quantgate.jobs.dto;

import java.util.List;

/** What a plan did: the policy version that selected the model, the jobs created now, and all of the version's jobs. */
public record PlanResult(String model, String version, String policy, String policySha256, List<Long> created,
                         List<JobSummary> jobs) {
}
