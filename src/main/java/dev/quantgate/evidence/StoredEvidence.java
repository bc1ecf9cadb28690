package dev.quantgate.evidence;

import dev.quantgate.evidence.dto.EvidenceSummary;

/** An evidence record as stored: its canonical JSON exactly as hashed, and its index columns. */
public record StoredEvidence(String canonicalJson, EvidenceSummary summary) {
}
