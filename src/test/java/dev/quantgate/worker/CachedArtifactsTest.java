package dev.quantgate.worker;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's download cache over a counting port: hits, misses, a corrupt entry, eviction, off. */
class CachedArtifactsTest {

    private static final long LIMIT = 1 << 20;

    @TempDir
    Path temp;

    private final LocalArtifactPort store = new LocalArtifactPort();
    private Path model;
    private Path csv;

    @BeforeEach
    void logArtifacts() throws IOException {
        model = Files.createDirectories(temp.resolve("store/model"));
        Files.writeString(model.resolve("MLmodel"), "flavors:\n  onnx: {}\n");
        Files.createDirectories(model.resolve("sub"));
        Files.write(model.resolve("sub/model.onnx"), bytes(5000, 7));
        csv = temp.resolve("store/eval.csv");
        Files.writeString(csv, "a,b\n1,2\n3,4\n");
    }

    private CachedArtifacts cached(long maxBytes) throws IOException {
        return new CachedArtifacts(store, ArtifactCache.open(temp.resolve("cache"), maxBytes));
    }

    @Test
    void shouldAnswerASecondDownloadFromTheCacheWithTheSameHashesAndNoStoreRead() throws Exception {
        CachedArtifacts port = cached(LIMIT);
        ArtifactPort.Download first = port.downloadDirectory(model.toUri().toString(), temp.resolve("job1/source"), LIMIT);
        ArtifactPort.Download firstCsv = port.downloadFile(csv.toUri().toString(), temp.resolve("job1/data/eval.csv"), LIMIT);
        assertEquals(2, store.downloads.get(), "a miss downloads");

        ArtifactPort.Download second = port.downloadDirectory(model.toUri().toString(), temp.resolve("job2/source"), LIMIT);
        ArtifactPort.Download secondCsv = port.downloadFile(csv.toUri().toString(), temp.resolve("job2/data/eval.csv"), LIMIT);

        assertEquals(2, store.downloads.get(), "a hit reads nothing from the store");
        assertEquals(first, second);
        assertEquals(firstCsv, secondCsv);
        assertEquals(DirectoryManifest.of(temp.resolve("job1/source")), DirectoryManifest.of(temp.resolve("job2/source")));
        assertEquals(DirectoryManifest.of(temp.resolve("job2/source")).sha256(), second.sha256(),
                "the hash is of the files the job holds");
        assertArrayEquals(Files.readAllBytes(csv), Files.readAllBytes(temp.resolve("job2/data/eval.csv")));
    }

    @Test
    void shouldKeepTheCacheWholeWhenAJobDeletesItsWorkDirectory() throws Exception {
        CachedArtifacts port = cached(LIMIT);
        port.downloadDirectory(model.toUri().toString(), temp.resolve("job1/source"), LIMIT);
        port.downloadDirectory(model.toUri().toString(), temp.resolve("job2/source"), LIMIT);
        DirectoryManifest.deleteTree(temp.resolve("job1"));
        DirectoryManifest.deleteTree(temp.resolve("job2"));

        ArtifactPort.Download third = port.downloadDirectory(model.toUri().toString(), temp.resolve("job3/source"), LIMIT);

        assertEquals(1, store.downloads.get(), "still a hit after both work directories are gone");
        assertEquals(DirectoryManifest.of(temp.resolve("job3/source")).sha256(), third.sha256());
    }

    @Test
    void shouldDownloadAgainWhenTheStoreListsADifferentSize() throws Exception {
        CachedArtifacts port = cached(LIMIT);
        port.downloadFile(csv.toUri().toString(), temp.resolve("job1/eval.csv"), LIMIT);
        Files.writeString(csv, "a,b\n1,2\n3,4\n5,6\n");

        ArtifactPort.Download again = port.downloadFile(csv.toUri().toString(), temp.resolve("job2/eval.csv"), LIMIT);

        assertEquals(2, store.downloads.get(), "a changed listing is a miss");
        assertEquals(DirectoryManifest.sha256(csv), again.sha256());
    }

    @Test
    void shouldDropACorruptEntryAndDownloadAgain() throws Exception {
        CachedArtifacts port = cached(LIMIT);
        ArtifactPort.Download first = port.downloadFile(csv.toUri().toString(), temp.resolve("job1/eval.csv"), LIMIT);
        Path blob = temp.resolve("cache/blobs/" + first.sha256());
        assertTrue(Files.isRegularFile(blob), "stored under its SHA-256");
        DirectoryManifest.deleteTree(temp.resolve("job1"));
        blob.toFile().setWritable(true);
        Files.writeString(blob, "a,b\n9,9\n3,4\n"); // same size, other bytes

        ArtifactPort.Download again = port.downloadFile(csv.toUri().toString(), temp.resolve("job2/eval.csv"), LIMIT);

        assertEquals(2, store.downloads.get(), "the corrupt entry was not used");
        assertEquals(first, again);
        assertEquals(first.sha256(), DirectoryManifest.sha256(temp.resolve("job2/eval.csv")), "the store's bytes");
        assertEquals(first.sha256(), DirectoryManifest.sha256(blob), "stored again, whole");
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedEntryToStayUnderItsLimit() throws Exception {
        Path a = temp.resolve("store/a.bin");
        Path b = temp.resolve("store/b.bin");
        Path c = temp.resolve("store/c.bin");
        Files.write(a, bytes(400, 1));
        Files.write(b, bytes(400, 2));
        Files.write(c, bytes(400, 3));
        ArtifactCache cache = ArtifactCache.open(temp.resolve("cache"), 1000);
        CachedArtifacts port = new CachedArtifacts(store, cache);
        port.downloadFile(a.toUri().toString(), temp.resolve("j/a1"), LIMIT);
        port.downloadFile(b.toUri().toString(), temp.resolve("j/b1"), LIMIT);
        port.downloadFile(a.toUri().toString(), temp.resolve("j/a2"), LIMIT); // a is now the most recent
        assertEquals(2, store.downloads.get());

        port.downloadFile(c.toUri().toString(), temp.resolve("j/c1"), LIMIT);
        assertTrue(cache.bytes() <= 1000, "held " + cache.bytes());
        port.downloadFile(a.toUri().toString(), temp.resolve("j/a3"), LIMIT);
        assertEquals(3, store.downloads.get(), "a stayed");
        port.downloadFile(b.toUri().toString(), temp.resolve("j/b2"), LIMIT);
        assertEquals(4, store.downloads.get(), "b, the least recently used, was evicted");
        try (var blobs = Files.list(temp.resolve("cache/blobs"))) {
            assertEquals(2, blobs.count(), "evicted files are deleted");
        }
    }

    @Test
    void shouldKeepNothingWhenOffOrWhenAnEntryIsLargerThanTheCache() throws Exception {
        ArtifactCache off = ArtifactCache.open(temp.resolve("off"), 0);
        assertFalse(off.enabled());
        assertSame(store, CachedArtifacts.over(store, off), "off: the port itself");
        assertFalse(Files.exists(temp.resolve("off")), "off: no folder made");
        assertThrows(IllegalArgumentException.class, () -> ArtifactCache.open(temp.resolve("neg"), -1));

        CachedArtifacts small = cached(100);
        small.downloadDirectory(model.toUri().toString(), temp.resolve("job1/source"), LIMIT);
        small.downloadDirectory(model.toUri().toString(), temp.resolve("job2/source"), LIMIT);
        assertEquals(2, store.downloads.get(), "over the cache's size: downloaded each time");
    }

    @Test
    void shouldLetThePortRefuseADownloadOverTheLimitEvenWhenCached() throws Exception {
        CachedArtifacts port = cached(LIMIT);
        port.downloadDirectory(model.toUri().toString(), temp.resolve("job1/source"), LIMIT);

        assertThrows(ArtifactException.class,
                () -> port.downloadDirectory(model.toUri().toString(), temp.resolve("job2/source"), 100));
    }

    @Test
    void shouldStartEmptyAndDeleteAnEarlierProcessesFiles() throws Exception {
        CachedArtifacts first = cached(LIMIT);
        ArtifactPort.Download d = first.downloadFile(csv.toUri().toString(), temp.resolve("job1/eval.csv"), LIMIT);
        Path keep = Files.writeString(temp.resolve("cache/blobs/README"), "not the cache's");

        CachedArtifacts reopened = cached(LIMIT);
        assertFalse(Files.exists(temp.resolve("cache/blobs/" + d.sha256())));
        assertTrue(Files.exists(keep), "only files named like the cache's are deleted");
        reopened.downloadFile(csv.toUri().toString(), temp.resolve("job2/eval.csv"), LIMIT);
        assertEquals(2, store.downloads.get());
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) seed);
        for (int i = 0; i < n; i += 7) {
            b[i] = (byte) (i * seed);
        }
        return b;
    }

}
