package dev.quantgate.gate.dto;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** An approver's verdict on a waiting promotion request. */
public record ApprovalRequest(@NotNull @Pattern(regexp = "approve|reject") String verdict, @Size(max = 2000) String comment) {
}
