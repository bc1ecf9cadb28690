package dev.quantgate.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An {@link ArtifactPort} that answers repeated downloads from an {@link ArtifactCache}. A download is keyed on its
 * URI (the resolved source directory, the dataset's URI) and what the store lists for it (each file's path and
 * size), so a changed listing is a miss; a hit answers exactly the {@link ArtifactPort.Download} a download would
 * (same bytes, files and SHA-256), with every file re-verified in the work directory. Where the port cannot list,
 * or the listing is over the limit, the download goes through uncached (and the port refuses it as before).
 */
public final class CachedArtifacts extends ForwardingArtifactPort {

    private final ArtifactCache cache;

    public CachedArtifacts(ArtifactPort delegate, ArtifactCache cache) {
        super(delegate);
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /** {@code delegate} itself when the cache is off. */
    public static ArtifactPort over(ArtifactPort delegate, ArtifactCache cache) {
        return cache.enabled() ? new CachedArtifacts(delegate, cache) : delegate;
    }

    @Override
    public Download downloadDirectory(String uri, Path target, long maxBytes) throws ArtifactException {
        Optional<Map<String, Long>> listing = delegate.list(uri);
        if (listing.isEmpty() || listing.get().isEmpty() || listed(listing.get()) > maxBytes) {
            return delegate.downloadDirectory(uri, target, maxBytes);
        }
        StringBuilder key = new StringBuilder("directory\n").append(uri).append('\n');
        new TreeMap<>(listing.get()).forEach((p, size) -> key.append(p).append('\t').append(size).append('\n'));
        Optional<SortedMap<String, ArtifactCache.Blob>> hit = cache.place(key.toString(), target);
        if (hit.isPresent()) {
            Map<String, String> hashes = new TreeMap<>();
            hit.get().forEach((p, b) -> hashes.put(p, b.sha256()));
            return new Download(hit.get().values().stream().mapToLong(ArtifactCache.Blob::bytes).sum(), hashes.size(),
                    DirectoryManifest.manifestSha256(hashes));
        }
        Download download = delegate.downloadDirectory(uri, target, maxBytes);
        try {
            DirectoryManifest written = DirectoryManifest.of(target);
            if (written.sha256().equals(download.sha256()) && written.files().keySet().equals(listing.get().keySet())
                    && sizesMatch(listing.get(), target)) {
                Map<String, Path> files = new LinkedHashMap<>();
                written.files().keySet().forEach(p -> files.put(p, target.resolve(p)));
                cache.put(key.toString(), files, written.files());
            }
        } catch (IOException e) {
            // not kept: the download itself stands
        }
        return download;
    }

    @Override
    public Download downloadFile(String uri, Path target, long maxBytes) throws ArtifactException {
        OptionalLong size = delegate.listedSize(uri);
        if (size.isEmpty() || size.getAsLong() > maxBytes) {
            return delegate.downloadFile(uri, target, maxBytes);
        }
        String key = "file\n" + uri + "\n" + size.getAsLong() + "\n";
        Optional<SortedMap<String, ArtifactCache.Blob>> hit = cache.place(key, target);
        if (hit.isPresent()) {
            ArtifactCache.Blob blob = hit.get().get("");
            return new Download(blob.bytes(), 1, blob.sha256());
        }
        Download download = delegate.downloadFile(uri, target, maxBytes);
        if (size.getAsLong() < 0 || size.getAsLong() == download.bytes()) {
            cache.put(key, Map.of("", target), Map.of("", download.sha256()));
        }
        return download;
    }

    private static long listed(Map<String, Long> listing) {
        return listing.values().stream().mapToLong(s -> Math.max(0, s)).sum();
    }

    private static boolean sizesMatch(Map<String, Long> listing, Path target)
            throws IOException {
        for (Map.Entry<String, Long> file : listing.entrySet()) {
            if (file.getValue() >= 0 && file.getValue() != java.nio.file.Files.size(target.resolve(file.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
