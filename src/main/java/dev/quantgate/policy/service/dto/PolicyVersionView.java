package dev.quantgate.policy.service.dto;

import java.time.Instant;

/** A stored version of a policy; {@code inForce} on the one this server applies now. */
public record PolicyVersionView(String name, String sha256, String file, Instant loadedAt, boolean inForce) {
}
