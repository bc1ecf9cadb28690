package dev.quantgate.gate.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * A dry run: judge a model version for an alias or stage under the policy in force, or under {@code policy_text}
 * (a policy file's YAML) when given.
 */
public record EvaluateRequest(@NotBlank @Size(max = 500) String model, @NotBlank @Size(max = 20) String version,
                              @Size(max = 250) String alias, @Size(max = 250) String stage,
                              @JsonProperty("policy_text") @Size(max = 262_144) String policyText) {
}
