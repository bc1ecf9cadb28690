package dev.quantgate.mlflow.artifacts;

import dev.quantgate.worker.ArtifactException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** Paths in MLflow's artifact store: from URIs to proxy paths, and the checks on names MLflow lists. */
final class ArtifactPaths {

    static final String PROXY_SCHEME = "mlflow-artifacts:";

    private ArtifactPaths() {
    }

    /**
     * The proxy path ({@code 1/<run>/artifacts/model}) of an {@code mlflow-artifacts:/...} URI, also in its
     * {@code mlflow-artifacts://host:port/...} form; trailing slashes dropped.
     */
    static String proxyPath(String uri) throws ArtifactException {
        String rest = uri.substring(PROXY_SCHEME.length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        String path = trim(rest);
        checkRelative(path, uri);
        return path;
    }

    /** {@code a/b} joined to {@code c}, without doubled slashes. */
    static String join(String directory, String name) {
        String d = trim(directory);
        String n = trim(name);
        return d.isEmpty() ? n : n.isEmpty() ? d : d + "/" + n;
    }

    /**
     * Refuses a path that could leave the directory it is resolved against: absolute, a drive or backslash,
     * an empty, {@code .} or {@code ..} segment. MLflow's listings are data from a server, not trusted paths.
     */
    static void checkRelative(String path, String where) throws ArtifactException {
        if (path.startsWith("/") || path.contains("\\") || path.contains(":") || path.indexOf('\0') >= 0) {
            throw new ArtifactException("Refused artifact path '" + path + "' under " + where
                    + ": absolute paths, drives and backslashes are not allowed", false);
        }
        if (path.isEmpty()) {
            return;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new ArtifactException("Refused artifact path '" + path + "' under " + where
                        + ": it has an empty, '.' or '..' segment", false);
            }
        }
    }

    /** Each segment percent-encoded for a URL path. */
    static String encode(String path) {
        StringJoiner out = new StringJoiner("/");
        for (String segment : path.split("/")) {
            out.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String trim(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
