package dev.quantgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code deploy/kubernetes/} (no cluster here): the manifests parsed and their structure checked —
 * kinds, images, env, probes, resources, GPU scheduling, and that each KEDA ScaledObject scales an
 * existing worker Deployment on the queued-jobs metric of its requirement.
 */
class DeploymentManifestsTest {

    private static final Path DIR = Path.of("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** kind/name → object, from every file the kustomization lists. */
    private static final Map<String, JsonNode> OBJECTS = new LinkedHashMap<>();
    private static JsonNode kustomization;

    @BeforeAll
    static void parse() throws IOException {
        kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        for (JsonNode resource : kustomization.get("resources")) {
            Path file = DIR.resolve(resource.asText());
            try (var parser = YAML.getFactory().createParser(file.toFile())) {
                for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                        String key = doc.get("kind").asText() + "/" + doc.at("/metadata/name").asText();
                        assertTrue(OBJECTS.put(key, doc) == null, "defined twice: " + key);
                    }
                }
            }
        }
    }

    private static JsonNode object(String kindAndName) {
        JsonNode o = OBJECTS.get(kindAndName);
        assertNotNull(o, kindAndName + " is not defined; have " + OBJECTS.keySet());
        return o;
    }

    private static JsonNode container(String deployment) {
        JsonNode containers = object("Deployment/" + deployment).at("/spec/template/spec/containers");
        assertEquals(1, containers.size(), deployment);
        return containers.get(0);
    }

    private static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        container.get("env").forEach(e -> out.put(e.get("name").asText(), e));
        return out;
    }

    private static void assertFromSecret(JsonNode envVar, String secret) {
        assertEquals(secret, envVar.at("/valueFrom/secretKeyRef/name").asText(), envVar.toString());
        assertFalse(envVar.has("value"), "a secret is never written into the manifest: " + envVar);
    }

    @Test
    void shouldListEveryManifestInTheKustomization() throws IOException {
        assertEquals("Kustomization", kustomization.get("kind").asText());
        List<String> listed = new ArrayList<>();
        kustomization.get("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> present = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
            assertEquals(present, listed.stream().sorted().toList());
        }
        assertEquals(List.of("Deployment/quantgate-server", "Service/quantgate", "Deployment/quantgate-worker-cpu",
                "Deployment/quantgate-worker-gpu", "ScaledObject/quantgate-worker-cpu", "ScaledObject/quantgate-worker-gpu"),
                List.copyOf(OBJECTS.keySet()));
        assertEquals("keda.sh/v1alpha1", object("ScaledObject/quantgate-worker-cpu").get("apiVersion").asText());
    }

    @Test
    void shouldRunTheServerOnAnExternalPostgresWithHealthProbes() {
        JsonNode server = container("quantgate-server");
        assertTrue(server.get("image").asText().matches("quantgate:\\d+\\.\\d+\\.\\d+"), server.get("image").asText());
        Map<String, JsonNode> env = env(server);
        assertEquals("server", env.get("QUANTGATE_ROLE").get("value").asText());
        for (String name : List.of("QUANTGATE_DB_URL", "QUANTGATE_DB_USER", "QUANTGATE_DB_PASSWORD")) {
            assertFromSecret(env.get(name), "quantgate-db");
        }
        assertFromSecret(env.get("QUANTGATE_ADMIN_TOKEN"), "quantgate-admin");
        assertFromSecret(env.get("QUANTGATE_WEBHOOK_SECRETS"), "quantgate-webhook");
        assertTrue(env.containsKey("QUANTGATE_MLFLOW_URL"));
        String policies = env.get("QUANTGATE_POLICIES_DIR").get("value").asText();
        assertEquals(policies, server.at("/volumeMounts/0/mountPath").asText(), "the policies ConfigMap is mounted there");
        assertEquals("quantgate-policies", object("Deployment/quantgate-server")
                .at("/spec/template/spec/volumes/0/configMap/name").asText());
        assertEquals("/q/health/ready", server.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/live", server.at("/livenessProbe/httpGet/path").asText());
        assertEquals(8080, server.at("/ports/0/containerPort").asInt());
        assertEquals("/q/metrics", object("Deployment/quantgate-server")
                .at("/spec/template/metadata/annotations").get("prometheus.io/path").asText());
    }

    @Test
    void shouldRouteTheServiceToTheServerPods() {
        JsonNode service = object("Service/quantgate");
        JsonNode labels = object("Deployment/quantgate-server").at("/spec/template/metadata/labels");
        service.at("/spec/selector").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(), "selector " + e.getKey()));
        assertEquals(8080, service.at("/spec/ports/0/port").asInt());
        assertEquals(container("quantgate-server").at("/ports/0/name").asText(), service.at("/spec/ports/0/targetPort").asText());
        JsonNode workerLabels = object("Deployment/quantgate-worker-cpu").at("/spec/template/metadata/labels");
        assertFalse(workerLabels.get("app.kubernetes.io/component").asText()
                        .equals(service.at("/spec/selector").get("app.kubernetes.io/component").asText()),
                "workers receive no API traffic");
    }

    @Test
    void shouldRunWorkersThatReachTheServerOnlyOverItsApi() {
        for (String deployment : List.of("quantgate-worker-cpu", "quantgate-worker-gpu")) {
            JsonNode worker = container(deployment);
            Map<String, JsonNode> env = env(worker);
            assertEquals("worker", env.get("QUANTGATE_ROLE").get("value").asText(), deployment);
            assertEquals("http://quantgate:8080", env.get("QUANTGATE_SERVER_URL").get("value").asText(), deployment);
            assertFromSecret(env.get("QUANTGATE_WORKER_TOKEN"), "quantgate-worker-token");
            assertFalse(env.keySet().stream().anyMatch(k -> k.startsWith("QUANTGATE_DB_")), deployment + " never touches the database");
            assertEquals("/q/health/live", worker.at("/livenessProbe/httpGet/path").asText(), deployment);
            JsonNode selector = object("Deployment/" + deployment).at("/spec/selector/matchLabels");
            JsonNode labels = object("Deployment/" + deployment).at("/spec/template/metadata/labels");
            selector.fields().forEachRemaining(e -> assertEquals(e.getValue(), labels.get(e.getKey()), deployment));
        }
        assertTrue(container("quantgate-worker-cpu").get("image").asText().matches("quantgate:\\d+\\.\\d+\\.\\d+"));
        assertFalse(container("quantgate-worker-cpu").at("/resources/limits").has("nvidia.com/gpu"));
    }

    @Test
    void shouldScheduleGpuWorkersOnGpuNodesWithOneGpuAndTheGpuImage() {
        JsonNode pod = object("Deployment/quantgate-worker-gpu").at("/spec/template/spec");
        JsonNode worker = container("quantgate-worker-gpu");
        String version = container("quantgate-server").get("image").asText().split(":")[1];
        assertEquals("quantgate:" + version + "-gpu", worker.get("image").asText());
        assertEquals(1, worker.at("/resources/limits").get("nvidia.com/gpu").asInt());
        assertEquals("true", pod.at("/nodeSelector").get("nvidia.com/gpu.present").asText());
        assertEquals("nvidia.com/gpu", pod.at("/tolerations/0/key").asText());
        assertEquals("NoSchedule", pod.at("/tolerations/0/effect").asText());
    }

    @Test
    void shouldGiveEveryContainerCpuAndMemoryRequestsAndLimits() {
        for (String deployment : List.of("quantgate-server", "quantgate-worker-cpu", "quantgate-worker-gpu")) {
            JsonNode resources = container(deployment).get("resources");
            for (String side : List.of("requests", "limits")) {
                for (String what : List.of("cpu", "memory")) {
                    assertTrue(resources.path(side).hasNonNull(what), deployment + " " + side + "." + what);
                }
            }
        }
    }

    @Test
    void shouldScaleEachWorkerDeploymentOnQueuedJobsOfItsRequirement() {
        for (String requirement : List.of("cpu", "gpu")) {
            JsonNode scaled = object("ScaledObject/quantgate-worker-" + requirement);
            String target = scaled.at("/spec/scaleTargetRef/name").asText();
            assertEquals("quantgate-worker-" + requirement, target);
            object("Deployment/" + target);
            JsonNode trigger = scaled.at("/spec/triggers/0");
            assertEquals("prometheus", trigger.get("type").asText());
            assertTrue(trigger.at("/metadata/query").asText().contains("quantgate_jobs_queued{requirement=\"" + requirement + "\"}"),
                    trigger.toString());
            assertTrue(trigger.at("/metadata/serverAddress").asText().startsWith("http"));
            assertTrue(Double.parseDouble(trigger.at("/metadata/threshold").asText()) > 0);
            assertTrue(scaled.at("/spec/maxReplicaCount").asInt() > scaled.at("/spec/minReplicaCount").asInt());
        }
        assertEquals(0, object("ScaledObject/quantgate-worker-gpu").at("/spec/minReplicaCount").asInt(),
                "no GPU held while no gpu job waits");
        assertTrue(object("ScaledObject/quantgate-worker-cpu").at("/spec/minReplicaCount").asInt() >= 1,
                "role=server runs no jobs itself: one CPU worker stays up");
    }

    @Test
    void shouldNotUseObjectsOutsideTheKnownKinds() {
        for (JsonNode o : OBJECTS.values()) {
            assertTrue(List.of("Deployment", "Service", "ScaledObject").contains(o.get("kind").asText()), o.toString());
            assertTrue(o instanceof ObjectNode && o.at("/metadata/name").asText().startsWith("quantgate"));
        }
    }
}
