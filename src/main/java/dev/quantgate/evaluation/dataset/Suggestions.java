package dev.quantgate.evaluation.dataset;

import java.util.List;
import java.util.Locale;

/** "Did you mean" for misspelt column names and options. */
public final class Suggestions {

    private Suggestions() {
    }

    /** The candidate closest to {@code name} within edit distance 3 (case-insensitive), or null. */
    public static String closest(String name, List<String> candidates) {
        String best = null;
        int bestD = 4;
        for (String c : candidates.stream().sorted().toList()) {
            int d = distance(name.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
