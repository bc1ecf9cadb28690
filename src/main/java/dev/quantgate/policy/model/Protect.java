package dev.quantgate.policy.model;

import java.util.List;

/** MLflow aliases and legacy stages that only the promotion gate may set (stored now, enforced by the gate). */
public record Protect(List<String> aliases, List<String> stages) {

    public static final Protect NOTHING = new Protect(List.of(), List.of());

    public Protect {
        aliases = List.copyOf(aliases);
        stages = List.copyOf(stages);
    }
}
