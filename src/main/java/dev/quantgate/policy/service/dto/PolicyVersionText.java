package dev.quantgate.policy.service.dto;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** A stored version: the file's text exactly as loaded (its SHA-256 is {@code sha256}) and the parsed document. */
public record PolicyVersionText(String name, String sha256, String file, Instant loadedAt, boolean inForce,
                                String text, JsonNode document) {
}
