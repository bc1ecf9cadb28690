package dev.quantgate.policy.service.dto;

/** Why a policy file was refused (or conflicts): the file, 1-based line and column, the field path and the problem. */
public record PolicyErrorView(String file, int line, int column, String field, String message) {
}
