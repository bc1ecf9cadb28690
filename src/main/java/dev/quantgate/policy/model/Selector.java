package dev.quantgate.policy.model;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which registered models a policy governs: a name matching one of {@code models} (globs with
 * {@code *} and {@code ?}) and every tag in {@code tags} present with that value. {@code models: []}
 * governs nothing.
 */
public record Selector(List<String> models, Map<String, String> tags) {

    public Selector {
        models = List.copyOf(models);
        tags = Map.copyOf(tags);
    }

    public boolean matches(String modelName, Map<String, String> modelTags) {
        if (models.stream().noneMatch(g -> Glob.matches(g, modelName))) {
            return false;
        }
        Map<String, String> have = modelTags == null ? Map.of() : modelTags;
        return tags.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
    }

    /**
     * Whether some model could be governed by both selectors: a name both match and tags that do not
     * contradict each other (the same key with different values).
     */
    public boolean overlaps(Selector other) {
        for (Map.Entry<String, String> e : tags.entrySet()) {
            String theirs = other.tags.get(e.getKey());
            if (theirs != null && !theirs.equals(e.getValue())) {
                return false;
            }
        }
        return models.stream().anyMatch(a -> other.models.stream().anyMatch(b -> Glob.intersects(a, b)));
    }

    /** Sorted, for stable output. */
    public Map<String, String> sortedTags() {
        return new TreeMap<>(tags);
    }
}
