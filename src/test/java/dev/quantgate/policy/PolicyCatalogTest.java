package dev.quantgate.policy;

import dev.quantgate.policy.model.Glob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyCatalogTest {

    @TempDir
    Path dir;

    private final PolicyCatalog catalog = new PolicyCatalog();
    private final List<PolicyVersion> stored = new ArrayList<>();

    private List<PolicyEvent> scan() {
        return catalog.scan(dir, stored::add);
    }

    private void write(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text);
    }

    private PolicyStatus status(String file) {
        return catalog.statuses().stream().filter(s -> s.file().equals(file)).findFirst().orElseThrow();
    }

    @Test
    void shouldPickUpAChangedFileAndKeepTheOldVersionByHash() throws IOException {
        write("fraud.yaml", PolicyFiles.policy("fraud", "fraud-*"));
        PolicyEvent.Activated first = assertInstanceOf(PolicyEvent.Activated.class, scan().get(0));
        assertNull(first.previousSha256());

        assertEquals(List.of(), scan(), "an unchanged folder changes nothing");

        write("fraud.yaml", PolicyFiles.policy("fraud", "fraud-*", "payments-*"));
        List<PolicyEvent> events = scan();
        PolicyEvent.Activated second = assertInstanceOf(PolicyEvent.Activated.class, events.get(0));
        assertEquals(first.version().sha256(), second.previousSha256());
        assertNotEquals(first.version().sha256(), second.version().sha256());
        assertEquals(List.of(first.version(), second.version()), stored, "both versions went to the store, by hash");
        assertEquals(second.version().sha256(), status("fraud.yaml").sha256());
        assertTrue(catalog.selector().select("payments-eu", Map.of()) instanceof PolicySelection.Selected s
                && s.version().sha256().equals(second.version().sha256()));
    }

    static Stream<Arguments> brokenFilesInAFolder() {
        return Stream.concat(PolicyLoaderTest.brokenFiles(), Stream.of(Arguments.of("duplicate name across files",
                PolicyFiles.policy("taken", "other-*"), 4, "metadata.name", "policy name 'taken' is already used by a-taken.yaml")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFilesInAFolder")
    void shouldRefuseABrokenFileInTheFolderAndHarmNothingElse(String why, String text, int line, String field, String message)
            throws IOException {
        write("a-taken.yaml", PolicyFiles.policy("taken", "t-*"));
        write("broken.yaml", text);
        List<PolicyEvent> events = scan();
        PolicyEvent.Refused refused = events.stream().filter(e -> e instanceof PolicyEvent.Refused)
                .map(PolicyEvent.Refused.class::cast).findFirst().orElseThrow(() -> new AssertionError(why + ": " + events));
        assertEquals("broken.yaml", refused.file());
        PolicyStatus broken = status("broken.yaml");
        assertEquals(PolicyStatus.State.REFUSED, broken.state(), why);
        assertNull(broken.sha256(), "nothing of it is in force");
        assertTrue(broken.errors().stream().anyMatch(e -> e.line() == line && e.field().equals(field) && e.message().contains(message)),
                why + ": expected line " + line + " field '" + field + "' with '" + message + "', got " + broken.errors());
        assertEquals(PolicyStatus.State.ACTIVE, status("a-taken.yaml").state(), "the other policy is untouched");
        assertTrue(catalog.selector().select("t-1", Map.of()) instanceof PolicySelection.Selected s && s.version().name().equals("taken"));
        assertEquals(1, catalog.selector().inForce().size());
    }

    @Test
    void shouldKeepThePreviousVersionInForceWhenAChangeIsRefused() throws IOException {
        write("fraud.yaml", PolicyFiles.policy("fraud", "fraud-*"));
        scan();
        String good = status("fraud.yaml").sha256();

        write("fraud.yaml", PolicyFiles.withLine("fraud", 20, "      block_size: 12").replace("\"m-*\"", "\"fraud-*\""));
        PolicyEvent.Refused refused = assertInstanceOf(PolicyEvent.Refused.class, scan().get(0));
        assertEquals(good, refused.inForceSha256());
        assertEquals(20, refused.errors().get(0).line());
        assertEquals("spec.variants[1].block_size", refused.errors().get(0).field());

        PolicyStatus status = status("fraud.yaml");
        assertEquals(PolicyStatus.State.REFUSED, status.state());
        assertEquals("fraud", status.name());
        assertEquals(good, status.sha256(), "the previous version stays in force");
        assertEquals(refused.sha256(), status.refusedSha256());
        assertTrue(catalog.selector().select("fraud-1", Map.of()) instanceof PolicySelection.Selected s
                && s.version().sha256().equals(good));
        assertEquals(List.of(), scan(), "a refusal is reported once, not on every scan");

        write("fraud.yaml", PolicyFiles.policy("fraud", "fraud-*"));
        assertEquals(List.of(), scan().stream().filter(e -> !(e instanceof PolicyEvent.Activated)).toList());
        assertEquals(PolicyStatus.State.ACTIVE, status("fraud.yaml").state(), "fixed: active again");
        assertEquals(List.of(), status("fraud.yaml").errors());
    }

    @Test
    void shouldRefuseADuplicateNameInTheSecondFileUntilTheNameIsFree() throws IOException {
        write("a.yaml", PolicyFiles.policy("shared", "a-*"));
        write("b.yaml", PolicyFiles.policy("shared", "b-*"));
        List<PolicyEvent> events = scan();
        assertTrue(events.stream().anyMatch(e -> e instanceof PolicyEvent.Activated v && v.version().file().equals("a.yaml")),
                events.toString());
        assertTrue(events.stream().anyMatch(e -> e instanceof PolicyEvent.Refused r && r.file().equals("b.yaml")),
                events.toString());
        PolicyStatus b = status("b.yaml");
        assertEquals(PolicyStatus.State.REFUSED, b.state());
        assertNull(b.sha256());
        PolicyError error = b.errors().get(0);
        assertEquals(4, error.line());
        assertEquals("metadata.name", error.field());
        assertTrue(error.message().contains("already used by a.yaml"), error.message());
        assertEquals(PolicyStatus.State.ACTIVE, status("a.yaml").state());

        Files.delete(dir.resolve("a.yaml"));
        List<PolicyEvent> after = scan();
        assertTrue(after.stream().anyMatch(e -> e instanceof PolicyEvent.Removed r && r.file().equals("a.yaml")), after.toString());
        assertTrue(after.stream().anyMatch(e -> e instanceof PolicyEvent.Activated v && v.version().file().equals("b.yaml")),
                after.toString());
        assertEquals(PolicyStatus.State.ACTIVE, status("b.yaml").state());
    }

    @Test
    void shouldShowAConflictOnBothPoliciesAndSelectNeither() throws IOException {
        write("credit.yaml", PolicyFiles.policy("credit", "credit-*"));
        write("everything.yaml", PolicyFiles.policy("everything", "*"));
        write("fraud.yaml", PolicyFiles.policy("fraud", "fraud"));
        write("other.yaml", PolicyFiles.policy("other", "zzz-?"));
        List<PolicyEvent> events = scan();
        assertTrue(events.stream().anyMatch(e -> e instanceof PolicyEvent.ConflictFound c
                && c.policies().equals(List.of("credit", "everything"))), events.toString());

        for (String file : List.of("credit.yaml", "everything.yaml")) {
            PolicyStatus s = status(file);
            assertEquals(PolicyStatus.State.CONFLICT, s.state(), file);
            assertTrue(s.errors().get(0).message().contains("'credit' and 'everything'"), s.errors().toString());
        }
        assertEquals(List.of("credit", "fraud", "other"), status("everything.yaml").conflictsWith());
        PolicySelection.Conflict conflict = assertInstanceOf(PolicySelection.Conflict.class,
                catalog.selector().select("credit-cards", Map.of()));
        assertEquals(List.of("credit", "everything"), conflict.policies());
        assertTrue(conflict.detail().contains("credit-cards"), conflict.detail());
        assertInstanceOf(PolicySelection.Conflict.class, catalog.selector().select("fraud", Map.of()));
        Files.delete(dir.resolve("everything.yaml"));
        scan();
        assertEquals(PolicyStatus.State.ACTIVE, status("credit.yaml").state(), "the overlap is gone");
        assertInstanceOf(PolicySelection.Selected.class, catalog.selector().select("credit-cards", Map.of()));
        assertInstanceOf(PolicySelection.NoPolicy.class, catalog.selector().select("churn", Map.of()));
    }

    @Test
    void shouldNotConflictWhenTagsTellTheSelectorsApart() throws IOException {
        write("high.yaml", PolicyFiles.policy("high", "credit-*").replace("    models: [\"credit-*\"]",
                "    models: [\"credit-*\"]\n    tags: {risk: high}"));
        write("low.yaml", PolicyFiles.policy("low", "credit-*").replace("    models: [\"credit-*\"]",
                "    models: [\"credit-*\"]\n    tags: {risk: low}"));
        scan();
        assertEquals(PolicyStatus.State.ACTIVE, status("high.yaml").state());
        assertEquals(PolicyStatus.State.ACTIVE, status("low.yaml").state());
        assertTrue(catalog.selector().select("credit-eu", Map.of("risk", "low")) instanceof PolicySelection.Selected s
                && s.version().name().equals("low"));
        assertInstanceOf(PolicySelection.NoPolicy.class, catalog.selector().select("credit-eu", Map.of()));
    }

    @Test
    void shouldLeaveTheOldVersionInForceWhenTheStoreFails() throws IOException {
        write("fraud.yaml", PolicyFiles.policy("fraud", "fraud-*"));
        scan();
        String good = status("fraud.yaml").sha256();
        write("fraud.yaml", PolicyFiles.policy("fraud", "fraud-*", "x"));
        List<PolicyEvent> events = catalog.scan(dir, v -> {
            throw new IllegalStateException("database unavailable");
        });
        PolicyEvent.Deferred deferred = assertInstanceOf(PolicyEvent.Deferred.class, events.get(0));
        assertTrue(deferred.reason().contains("database unavailable"));
        assertEquals(good, status("fraud.yaml").sha256());
        PolicyEvent.Activated later = assertInstanceOf(PolicyEvent.Activated.class, scan().get(0));
        assertEquals(good, later.previousSha256(), "retried on the next scan");
    }

    @Test
    void shouldNotReadSubfoldersOrOtherFiles() throws IOException {
        Files.createDirectories(dir.resolve("examples"));
        Files.writeString(dir.resolve("examples/x.yaml"), PolicyFiles.policy("x", "*"));
        Files.writeString(dir.resolve("notes.txt"), "not a policy");
        write("y.yml", PolicyFiles.policy("y", "y"));
        scan();
        assertEquals(List.of("y.yml"), catalog.statuses().stream().map(PolicyStatus::file).toList());
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({"credit-*, credit-cards, true", "credit-*, credit-, true", "credit-*, debit-cards, false",
            "*, anything, true", "m?, m1, true", "m?, m12, false", "a*b*c, axxbyyc, true", "a*b*c, axxbyy, false",
            "exact, exact, true", "exact, exactly, false"})
    void shouldMatchGlobs(String glob, String name, boolean matches) {
        assertEquals(matches, Glob.matches(glob, name));
    }

    @ParameterizedTest(name = "{0} and {1} overlap: {2}")
    @CsvSource({"credit-*, *-cards, true", "credit-*, fraud-*, false", "*, x, true", "a?c, *b*, true",
            "a?c, *d*, true", "a?c, *d, false", "ab*, *ba, true", "abc, abd, false", "x*y, x?, true", "x*y, x?z, false"})
    void shouldTellWhetherTwoGlobsCanMatchOneName(String a, String b, boolean overlap) {
        assertEquals(overlap, Glob.intersects(a, b));
        assertEquals(overlap, Glob.intersects(b, a));
    }
}
