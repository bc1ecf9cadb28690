package dev.quantgate.policy;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The policies of one folder ({@code *.yaml}, {@code *.yml}; subfolders are not read) and which version
 * of each is in force. {@link #scan} reads every file, and a file whose bytes changed is loaded again:
 * an accepted version replaces the one in force, a refused one leaves it in force and is reported.
 * A name already held by another file is refused in the newcomer (retried on each scan, so it comes into
 * force once the name is free). Policies whose selectors overlap are reported as conflicting on both.
 * Plain Java; thread-safe.
 */
public final class PolicyCatalog {

    private static final class FileState {
        final String file;
        String seenSha256;
        PolicyVersion active;
        PolicyVersion pending;
        List<PolicyError> errors = List.of();
        String refusedSha256;
        String refusedName;

        FileState(String file) {
            this.file = file;
        }
    }

    private final Map<String, FileState> files = new TreeMap<>();
    private Map<String, Set<String>> conflicts = Map.of();
    private volatile PolicySelector selector = new PolicySelector(List.of());

    /**
     * Reads the folder and applies what changed. {@code beforeActivation} sees each version before it
     * comes into force (the service stores it there); when it throws, the version does not come into
     * force (a {@link PolicyEvent.Deferred} says why) and it is tried again on the next scan.
     */
    public synchronized List<PolicyEvent> scan(Path dir, Consumer<PolicyVersion> beforeActivation) {
        List<PolicyEvent> events = new ArrayList<>();
        Map<String, Path> present = list(dir);
        for (Map.Entry<String, Path> e : present.entrySet()) {
            FileState st = files.computeIfAbsent(e.getKey(), FileState::new);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(e.getValue());
            } catch (IOException ex) {
                refuse(st, "unreadable:" + ex.getClass().getSimpleName(), null,
                        List.of(new PolicyError(st.file, 1, 1, "", "cannot be read: " + ex.getMessage())), events);
                continue;
            }
            String sha = PolicyLoader.sha256(bytes);
            if (sha.equals(st.seenSha256)) {
                continue;
            }
            st.seenSha256 = sha;
            st.pending = null;
            try {
                st.pending = PolicyLoader.load(st.file, bytes);
            } catch (PolicyFileException ex) {
                refuse(st, sha, nameIn(st.file, bytes), ex.errors(), events);
            }
        }
        for (String gone : new ArrayList<>(files.keySet())) {
            if (!present.containsKey(gone)) {
                FileState st = files.remove(gone);
                if (st.active != null) {
                    events.add(new PolicyEvent.Removed(gone, st.active.name(), st.active.sha256()));
                }
            }
        }
        for (FileState st : files.values()) {
            if (st.pending != null) {
                activate(st, beforeActivation, events);
            }
        }
        findConflicts(events);
        selector = new PolicySelector(files.values().stream().map(s -> s.active).filter(Objects::nonNull).toList());
        return events;
    }

    /** The policies in force now, for selection. */
    public PolicySelector selector() {
        return selector;
    }

    /** Every file's status, by file name. */
    public synchronized List<PolicyStatus> statuses() {
        return files.values().stream().map(this::status).toList();
    }

    /** The status of the file holding this policy name (in force, or refused under that name). */
    public synchronized Optional<PolicyStatus> status(String name) {
        return files.values().stream()
                .filter(s -> s.active != null ? s.active.name().equals(name) : name.equals(s.refusedName))
                .sorted(Comparator.comparing((FileState s) -> s.active == null))
                .findFirst().map(this::status);
    }

    /** The version of this policy in force, if any. */
    public Optional<PolicyVersion> inForce(String name) {
        return selector.inForce().stream().filter(v -> v.name().equals(name)).findFirst();
    }

    private void activate(FileState st, Consumer<PolicyVersion> beforeActivation, List<PolicyEvent> events) {
        PolicyVersion candidate = st.pending;
        String name = candidate.name();
        Optional<FileState> holder = files.values().stream()
                .filter(o -> o != st && o.active != null && o.active.name().equals(name)).findFirst();
        if (holder.isPresent()) {
            YamlDocument.Location at = nameLocation(candidate);
            refuse(st, candidate.sha256(), name, List.of(new PolicyError(st.file, at.line(), at.column(), "metadata.name",
                    "policy name '" + name + "' is already used by " + holder.get().file
                            + "; names must be unique across the policies folder")), events);
            st.pending = candidate; // retried on the next scan, in case the name becomes free
            return;
        }
        try {
            beforeActivation.accept(candidate);
        } catch (RuntimeException ex) {
            // not the file's fault (e.g. the database is down): the previous version stays, retried next scan
            events.add(new PolicyEvent.Deferred(st.file, candidate.sha256(), String.valueOf(ex.getMessage())));
            return;
        }
        String previous = st.active == null ? null : st.active.sha256();
        st.active = candidate;
        st.pending = null;
        st.errors = List.of();
        st.refusedSha256 = null;
        st.refusedName = null;
        events.add(new PolicyEvent.Activated(candidate, previous));
    }

    private static void refuse(FileState st, String sha, String name, List<PolicyError> errors, List<PolicyEvent> events) {
        boolean news = !sha.equals(st.refusedSha256) || !errors.equals(st.errors);
        st.errors = errors;
        st.refusedSha256 = sha;
        st.refusedName = name;
        if (news) {
            events.add(new PolicyEvent.Refused(st.file, sha, name, errors, st.active == null ? null : st.active.sha256()));
        }
    }

    private void findConflicts(List<PolicyEvent> events) {
        List<PolicyVersion> active = files.values().stream().map(s -> s.active).filter(Objects::nonNull)
                .sorted(Comparator.comparing(PolicyVersion::name)).toList();
        Map<String, Set<String>> found = new TreeMap<>();
        for (int i = 0; i < active.size(); i++) {
            for (int j = i + 1; j < active.size(); j++) {
                PolicyVersion a = active.get(i);
                PolicyVersion b = active.get(j);
                if (a.policy().selector().overlaps(b.policy().selector())) {
                    found.computeIfAbsent(a.name(), k -> new TreeSet<>()).add(b.name());
                    found.computeIfAbsent(b.name(), k -> new TreeSet<>()).add(a.name());
                    if (!conflicts.getOrDefault(a.name(), Set.of()).contains(b.name())) {
                        events.add(new PolicyEvent.ConflictFound(List.of(a.name(), b.name()), conflictDetail(a.name(), b.name())));
                    }
                }
            }
        }
        conflicts = found;
    }

    private static String conflictDetail(String one, String two) {
        String a = one.compareTo(two) < 0 ? one : two;
        String b = one.compareTo(two) < 0 ? two : one;
        return "policies '" + a + "' and '" + b + "' can both select the same model (their selectors overlap);"
                + " a model they both select is governed by neither until the selectors are narrowed";
    }

    private PolicyStatus status(FileState st) {
        Set<String> with = st.active == null ? Set.of() : conflicts.getOrDefault(st.active.name(), Set.of());
        List<PolicyError> errors = new ArrayList<>(st.errors);
        PolicyStatus.State state;
        if (st.refusedSha256 != null) {
            state = PolicyStatus.State.REFUSED;
        } else if (!with.isEmpty()) {
            state = PolicyStatus.State.CONFLICT;
            YamlDocument.Location at = selectorLocation(st.active);
            for (String other : with) {
                errors.add(new PolicyError(st.file, at.line(), at.column(), "spec.selector",
                        conflictDetail(st.active.name(), other)));
            }
        } else {
            state = PolicyStatus.State.ACTIVE;
        }
        String name = st.active != null ? st.active.name() : st.refusedName;
        return new PolicyStatus(name, st.file, state, errors, st.active == null ? null : st.active.sha256(),
                st.refusedSha256, st.active == null ? null : st.active.policy().selector(), new ArrayList<>(with));
    }

    /** The {@code metadata.name} of a refused file, when it has a readable one. */
    private static String nameIn(String file, byte[] bytes) {
        try {
            JsonNode name = YamlDocument.parse(file, bytes).root().at("/metadata/name");
            return name.isTextual() && !name.textValue().isBlank() ? name.textValue() : null;
        } catch (PolicyFileException e) {
            return null;
        }
    }

    private static YamlDocument.Location nameLocation(PolicyVersion v) {
        return locate(v, "/metadata/name");
    }

    private static YamlDocument.Location selectorLocation(PolicyVersion v) {
        return locate(v, "/spec/selector");
    }

    private static YamlDocument.Location locate(PolicyVersion v, String pointer) {
        try {
            return YamlDocument.parse(v.file(), v.text().getBytes(StandardCharsets.UTF_8)).locate(pointer);
        } catch (PolicyFileException e) {
            return new YamlDocument.Location(1, 1);
        }
    }

    private static Map<String, Path> list(Path dir) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            stream.forEach(paths::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the policies folder " + dir, e);
        }
        paths.stream().filter(Files::isRegularFile).sorted(Comparator.comparing(p -> p.getFileName().toString()))
                .forEach(p -> out.put(p.getFileName().toString(), p));
        return out;
    }
}
