package dev.quantgate.jobs.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** {@code POST /api/v1/jobs/plan}: a mirrored model version to plan by hand. */
public record PlanRequest(@NotBlank @Size(max = 500)
                          @Pattern(regexp = "[^\\x00-\\x1f\\x7f]*", message = "must not hold control characters")
                          String model,
                          @NotBlank @Pattern(regexp = "[1-9][0-9]{0,8}", message = "must be a positive whole number")
                          String version) {
}
