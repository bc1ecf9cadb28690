package dev.quantgate.jobs.dto;

/** An evidence record a job produced. */
public record EvidenceLink(String sha256, String href) {
}
