package dev.quantgate.policy.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.audit.AuditLog;
import dev.quantgate.policy.PolicyCatalog;
import dev.quantgate.policy.PolicyError;
import dev.quantgate.policy.PolicyEvent;
import dev.quantgate.policy.PolicySchema;
import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.PolicySelector;
import dev.quantgate.policy.PolicyStatus;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.service.dto.PolicyDetail;
import dev.quantgate.policy.service.dto.PolicyErrorView;
import dev.quantgate.policy.service.dto.PolicyVersionText;
import dev.quantgate.policy.service.dto.PolicyVersionView;
import dev.quantgate.policy.service.dto.PolicyView;
import dev.quantgate.policy.service.dto.SelectorView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The policies folder inside the service: scanned at start, every {@code quantgate.policies.scan-every}
 * and on request; each accepted version is stored by hash before it comes into force; refusals,
 * activations, removals and conflicts are audited. Selection for the planner and the gate is
 * {@link #select(String, Map)}.
 */
@ApplicationScoped
public class PolicyService {

    private static final Logger LOG = Logger.getLogger(PolicyService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PolicyCatalog catalog = new PolicyCatalog();
    private final PolicyVersionStore store;
    private final AuditLog audit;
    private final MeterRegistry metrics;
    private final Path dir;
    private final boolean enabled;

    public PolicyService(PolicyVersionStore store, AuditLog audit, PolicyConfig config, MeterRegistry metrics) {
        this.store = store;
        this.audit = audit;
        this.metrics = metrics;
        this.dir = Path.of(config.dir()).toAbsolutePath().normalize();
        this.enabled = config.enabled();
        for (PolicyStatus.State state : PolicyStatus.State.values()) {
            Gauge.builder("quantgate_policy_files", catalog, c -> c.statuses().stream().filter(s -> s.state() == state).count())
                    .description("Policy files by status (active, refused, conflict)")
                    .tag("status", state.id()).register(metrics);
        }
    }

    void onStart(@Observes StartupEvent start) {
        if (!enabled) {
            LOG.info("Policy loading is off in this process (quantgate.policies.enabled=false)");
            return;
        }
        LOG.infof("Loading policies from %s", dir);
        rescan();
    }

    @Scheduled(identity = "policy-folder-scan", every = "${quantgate.policies.scan-every:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledScan() {
        if (!enabled) {
            return;
        }
        try {
            rescan();
        } catch (RuntimeException e) {
            LOG.warnf("Policy folder scan failed, next on schedule: %s", e.getMessage());
        }
    }

    /** Scans the folder now and answers every policy's status. */
    public List<PolicyView> rescan() {
        List<PolicyEvent> events = catalog.scan(dir, store::store);
        for (PolicyEvent e : events) {
            record(e);
        }
        return list();
    }

    /** The policy that governs this model: one, none, or a conflict. */
    public PolicySelection select(String modelName, Map<String, String> modelTags) {
        return catalog.selector().select(modelName, modelTags);
    }

    /** The policies in force now. */
    public PolicySelector selector() {
        return catalog.selector();
    }

    /** The version of this policy in force, if any. */
    public Optional<PolicyVersion> inForce(String name) {
        return catalog.inForce(name);
    }

    public List<PolicyView> list() {
        return catalog.statuses().stream().map(PolicyService::view).toList();
    }

    public PolicyDetail get(String name) {
        PolicyStatus s = catalog.status(name).orElseThrow(() -> notFound(name));
        Optional<PolicyVersion> v = catalog.inForce(name);
        PolicyView view = view(s);
        return new PolicyDetail(view.name(), view.file(), view.status(), view.errors(), view.sha256(),
                view.refusedSha256(), view.selector(), view.conflictsWith(),
                v.map(p -> p.policy().description()).orElse(null),
                v.flatMap(p -> store.loadedAt(p.sha256())).orElse(null),
                v.map(p -> document(p.canonicalJson())).orElse(null));
    }

    /** Stored versions, newest first (also of a policy whose file is gone). */
    public List<PolicyVersionView> versions(String name) {
        List<PolicyVersionEntity> rows = store.versions(name);
        if (rows.isEmpty() && catalog.status(name).isEmpty()) {
            throw notFound(name);
        }
        String current = catalog.inForce(name).map(PolicyVersion::sha256).orElse(null);
        return rows.stream().map(r -> new PolicyVersionView(r.name, r.sha256, r.file, r.loadedAt, r.sha256.equals(current)))
                .toList();
    }

    public PolicyVersionText version(String name, String sha256) {
        PolicyVersionEntity r = store.version(name, sha256).orElseThrow(() -> new ApiException(
                ErrorCode.POLICY_VERSION_NOT_FOUND, "Policy '" + name + "' has no stored version " + sha256));
        String current = catalog.inForce(name).map(PolicyVersion::sha256).orElse(null);
        return new PolicyVersionText(r.name, r.sha256, r.file, r.loadedAt, r.sha256.equals(current), r.sourceText,
                document(r.canonicalJson));
    }

    public String schema() {
        return PolicySchema.get().text();
    }

    private void record(PolicyEvent event) {
        metrics.counter("quantgate_policy_events_total", "event", event.getClass().getSimpleName().toLowerCase(Locale.ROOT))
                .increment();
        if (event instanceof PolicyEvent.Activated a) {
            LOG.infof("Policy %s in force from %s (sha256 %s)", a.version().name(), a.version().file(), a.version().sha256());
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("sha256", a.version().sha256());
            payload.put("file", a.version().file());
            payload.put("previous_sha256", a.previousSha256());
            audit.append(PolicyVersionStore.ACTOR, "policy.activated", "policy:" + a.version().name(), payload);
        } else if (event instanceof PolicyEvent.Refused r) {
            LOG.warnf("Policy file %s refused%s: %s", r.file(),
                    r.inForceSha256() == null ? "" : " (its previous version stays in force)",
                    r.errors().stream().map(PolicyError::toString).toList());
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("file", r.file());
            payload.put("sha256", r.sha256());
            payload.put("in_force_sha256", r.inForceSha256());
            payload.put("errors", r.errors().stream().map(PolicyError::toString).toList());
            audit.append(PolicyVersionStore.ACTOR, "policy.refused",
                    r.name() != null ? "policy:" + r.name() : "policy-file:" + r.file(), payload);
        } else if (event instanceof PolicyEvent.Removed r) {
            LOG.infof("Policy %s no longer in force: %s was removed", r.name(), r.file());
            audit.append(PolicyVersionStore.ACTOR, "policy.removed", "policy:" + r.name(),
                    Map.of("file", r.file(), "sha256", r.sha256()));
        } else if (event instanceof PolicyEvent.ConflictFound c) {
            LOG.warnf("Policy conflict: %s", c.detail());
            audit.append(PolicyVersionStore.ACTOR, "policy.conflict", "policy:" + String.join("+", c.policies()),
                    Map.of("policies", c.policies(), "detail", c.detail()));
        } else if (event instanceof PolicyEvent.Deferred d) {
            LOG.warnf("Policy file %s (sha256 %s) accepted but not stored yet, retried on the next scan: %s",
                    d.file(), d.sha256(), d.reason());
        }
    }

    static PolicyView view(PolicyStatus s) {
        return new PolicyView(s.name(), s.file(), s.state().id(),
                s.errors().stream().map(e -> new PolicyErrorView(e.file(), e.line(), e.column(), e.field(), e.message())).toList(),
                s.sha256(), s.refusedSha256(),
                s.selector() == null ? null : new SelectorView(s.selector().models(), s.selector().sortedTags()),
                s.conflictsWith());
    }

    private static JsonNode document(String canonicalJson) {
        try {
            return JSON.readTree(canonicalJson);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored policy JSON is unreadable", e);
        }
    }

    private static ApiException notFound(String name) {
        return new ApiException(ErrorCode.POLICY_NOT_FOUND, "No policy is named '" + name + "' in the policies folder");
    }
}
