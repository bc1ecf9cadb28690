package dev.quantgate.gate.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Ask for a model version to be promoted to an alias or (legacy) a stage: exactly one of the two. */
public record PromotionRequest(@NotBlank @Size(max = 500) String model, @NotBlank @Size(max = 20) String version,
                               @Size(max = 250) String alias, @Size(max = 250) String stage,
                               @NotBlank @Size(max = 2000) String reason) {
}
