package dev.quantgate.gate.dto;

import com.fasterxml.jackson.databind.JsonNode;

/** A current holder of a protected alias that the policy in force would no longer allow there. */
public record ImpactItem(String model, String alias, String version, String outcome, JsonNode reasons) {
}
