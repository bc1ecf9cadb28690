package dev.quantgate.gate.dto;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.UUID;

/** A stored decision recomputed from its stored inputs: whether the judgement's bytes are the same. */
public record ReplayResult(@JsonProperty("decision_id") UUID decisionId, boolean matches,
                           @JsonProperty("stored_sha256") String storedSha256,
                           @JsonProperty("replayed_sha256") String replayedSha256) {
}
