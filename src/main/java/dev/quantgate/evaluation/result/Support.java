package dev.quantgate.evaluation.result;

import java.util.Locale;

/** Whether a group has at least the minimum group size ({@code ok}) or fewer rows ({@code low}). */
public enum Support {
    OK, LOW;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
