package dev.quantgate.policy.service.dto;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/** A policy: its state, and the version in force with its parsed document (null members when none is in force). */
public record PolicyDetail(String name, String file, String status, List<PolicyErrorView> errors, String sha256,
                           String refusedSha256, SelectorView selector, List<String> conflictsWith,
                           String description, Instant loadedAt, JsonNode document) {
}
