package dev.quantgate.policy.service.dto;

import java.util.List;

/**
 * One policy file's state.
 *
 * @param status        {@code active}, {@code refused} (the latest content was refused; {@code sha256} is the
 *                      version still in force, if any) or {@code conflict} (its selector overlaps another's)
 * @param sha256        the version in force, or null
 * @param refusedSha256 the refused content's hash, when refused
 */
public record PolicyView(String name, String file, String status, List<PolicyErrorView> errors, String sha256,
                         String refusedSha256, SelectorView selector, List<String> conflictsWith) {
}
