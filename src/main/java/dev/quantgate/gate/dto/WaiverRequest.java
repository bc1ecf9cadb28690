package dev.quantgate.gate.dto;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.Instant;

/** Waive one rule (by its id) for one model version until {@code expires_at}, at most the policy's max_duration away. */
public record WaiverRequest(@NotBlank @Size(max = 500) String model, @NotBlank @Size(max = 20) String version,
                            @NotBlank @Size(max = 100) String rule, @NotBlank @Size(max = 2000) String reason,
                            @JsonProperty("expires_at") @NotNull Instant expiresAt) {
}
