package dev.quantgate.policy.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One policy file's content ({@code kind: QuantizationPolicy}, {@code apiVersion: quantgate.dev/v1}), typed.
 * Absent sections take the defaults documented on each record; {@code evaluation}, {@code calibration}
 * and {@code waivers} stay empty when the file leaves them out (no evaluation is planned, no waiver may be
 * granted).
 */
public record QuantizationPolicy(String name, String description, Selector selector, Protect protect,
                                 Optional<Evaluation> evaluation, Optional<Calibration> calibration,
                                 List<Variant> variants, List<Rule> rules, SmallGroups smallGroups,
                                 Approvals approvals, Optional<Waivers> waivers) {

    public static final String API_VERSION = "quantgate.dev/v1";
    public static final String KIND = "QuantizationPolicy";

    public QuantizationPolicy {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(protect, "protect");
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(calibration, "calibration");
        variants = List.copyOf(variants);
        rules = List.copyOf(rules);
        Objects.requireNonNull(smallGroups, "smallGroups");
        Objects.requireNonNull(approvals, "approvals");
        Objects.requireNonNull(waivers, "waivers");
    }
}
