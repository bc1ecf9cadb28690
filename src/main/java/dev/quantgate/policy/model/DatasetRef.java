package dev.quantgate.policy.model;

/**
 * Where a dataset comes from: exactly one of {@code tag} (a model-version tag whose value names an
 * artifact of the version's run, or an {@code mlflow-artifacts:} URI) and {@code uri}; the other is null.
 */
public record DatasetRef(String tag, String uri) {

    public DatasetRef {
        if ((tag == null) == (uri == null)) {
            throw new IllegalArgumentException("a dataset is named by exactly one of tag and uri");
        }
    }

    public static DatasetRef tag(String tag) {
        return new DatasetRef(tag, null);
    }

    public static DatasetRef uri(String uri) {
        return new DatasetRef(null, uri);
    }
}
