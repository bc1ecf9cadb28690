package dev.quantgate.evaluation.result;

/** A per-group change between source and variant (a flip rate, an accuracy drop), with the group's support. */
public record GroupChange(String attribute, String group, long count, Support support, Figure figure) {
}
