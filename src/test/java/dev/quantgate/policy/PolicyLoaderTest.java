package dev.quantgate.policy;

import dev.quantgate.policy.model.DatasetRef;
import dev.quantgate.policy.model.QuantizationPolicy;
import dev.quantgate.policy.model.Rule;
import dev.quantgate.policy.model.SmallGroups;
import dev.quantgate.policy.model.Variant;
import dev.quantgate.quantize.spec.Scheme;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyLoaderTest {

    static Stream<Path> shippedPolicies() throws IOException {
        try (Stream<Path> top = Files.list(Path.of("policies")); Stream<Path> examples = Files.list(Path.of("policies/examples"))) {
            List<Path> all = Stream.concat(top, examples).filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(all.size() >= 2, "default.yaml and the credit-scoring example: " + all);
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedPolicies")
    void shouldAcceptEveryShippedPolicy(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        PolicyVersion v = PolicyLoader.load(file.getFileName().toString(), bytes);
        assertEquals(PolicyLoader.sha256(bytes), v.sha256());
        assertFalse(v.policy().variants().isEmpty(), "a shipped policy makes variants");
        assertTrue(v.canonicalJson().startsWith("{\"apiVersion\":\"quantgate.dev/v1\""), v.canonicalJson());
    }

    @Test
    void shouldShipADefaultThatGovernsNothing() throws Exception {
        PolicyVersion v = PolicyLoader.load("default.yaml", Files.readAllBytes(Path.of("policies/default.yaml")));
        assertEquals("default", v.name());
        assertEquals(List.of(), v.policy().selector().models());
        assertFalse(v.policy().selector().matches("anything", Map.of("risk", "high")));
    }

    @Test
    void shouldBindTheCreditExampleIntoTypedRecords() throws Exception {
        QuantizationPolicy p = PolicyLoader.load("credit-scoring.yaml",
                Files.readAllBytes(Path.of("policies/examples/credit-scoring.yaml"))).policy();
        assertEquals("credit-scoring", p.name());
        assertTrue(p.selector().matches("credit-cards", Map.of("risk", "high")));
        assertFalse(p.selector().matches("credit-cards", Map.of("risk", "low")));
        assertFalse(p.selector().matches("fraud", Map.of("risk", "high")));
        assertEquals(List.of("champion"), p.protect().aliases());
        assertEquals(List.of("Production"), p.protect().stages());
        var evaluation = p.evaluation().orElseThrow();
        assertEquals(DatasetRef.tag("quantgate.eval_dataset"), evaluation.dataset());
        assertEquals("0", evaluation.positive());
        assertEquals(List.of(25.0, 40.0, 60.0), evaluation.buckets().get("AGE"));
        assertTrue(evaluation.intersections());
        assertEquals(2.0, p.calibration().orElseThrow().maxUnderrepresentation());
        List<Variant> variants = p.variants();
        assertEquals(List.of(Scheme.INT8_DYNAMIC, Scheme.INT8_STATIC, Scheme.FP16, Scheme.INT4_WEIGHT_ONLY),
                variants.stream().map(v -> v.spec().scheme()).toList());
        assertEquals("percentile", variants.get(1).spec().string("calibration"));
        assertEquals(99.99, variants.get(1).spec().number("percentile"));
        assertEquals(Variant.WorkerKind.GPU, variants.get(2).worker());
        assertTrue(variants.get(2).cpuFallback());
        assertEquals(32, variants.get(3).spec().integer("block_size"));
        assertEquals(6, p.rules().size());
        Rule accuracy = p.rules().get(0);
        assertEquals(Rule.Bound.CI, accuracy.bound());
        assertEquals(0.01, accuracy.change().maxDecrease());
        assertTrue(p.rules().get(1).perGroup().all());
        assertEquals(0.10, p.rules().get(2).value().max());
        assertEquals("calibration_representative", p.rules().get(4).require());
        assertEquals("variant.size_bytes <= source.size_bytes * 0.3", p.rules().get(5).cel());
        assertEquals(SmallGroups.NEEDS_APPROVAL, p.smallGroups());
        assertEquals(2, p.approvals().required());
        assertEquals(List.of("engineer", "admin"), p.approvals().roles());
        assertEquals(Duration.ofDays(30), p.waivers().orElseThrow().maxDuration());
    }

    @Test
    void shouldAcceptTheReadmeExample() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## Policies\n");
        assertTrue(section >= 0, "README has a Policies section");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String example = readme.substring(start, readme.indexOf("```", start));
        QuantizationPolicy p = PolicyLoader.load("fraud.yaml", example.getBytes(StandardCharsets.UTF_8)).policy();
        assertEquals("fraud", p.name());
        assertEquals(4, p.variants().size());

        PolicyFileException e = assertThrows(PolicyFileException.class, () -> PolicyLoader.load("fraud.yaml",
                example.replace("block_size: 32", "block_size: 12").getBytes(StandardCharsets.UTF_8)));
        assertEquals("fraud.yaml:11:34: spec.variants[3].block_size: 12 is not a power of two between 16 and 2048",
                e.errors().get(0).toString(), "the README shows this error");
    }

    @Test
    void shouldIdentifyAVersionByTheHashOfItsBytes() throws Exception {
        String text = PolicyFiles.policy("hashing", "m-*");
        PolicyVersion a = PolicyLoader.load("a.yaml", text.getBytes(StandardCharsets.UTF_8));
        PolicyVersion b = PolicyLoader.load("a.yaml", (text + "# a comment\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(a.sha256().matches("[0-9a-f]{64}"));
        assertFalse(a.sha256().equals(b.sha256()), "other bytes, other version");
        assertEquals(a.canonicalJson(), b.canonicalJson(), "a comment does not change the parsed document");
    }

    /** name, policy text, the line and field the refusal must name, and a fragment of its message. */
    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                Arguments.of("typo'd key", PolicyFiles.withLine("p", 16, "    min_group_sise: 30"),
                        16, "spec.evaluation.min_group_sise", "did you mean 'min_group_size'"),
                Arguments.of("typo'd key in a variant", PolicyFiles.withLine("p", 20, "      blok_size: 32"),
                        20, "spec.variants[1].blok_size", "unknown field 'blok_size'"),
                Arguments.of("wrong type", PolicyFiles.withLine("p", 16, "    min_group_size: thirty"),
                        16, "spec.evaluation.min_group_size", "integer"),
                Arguments.of("unknown scheme", PolicyFiles.withLine("p", 18, "    - scheme: int3-magic"),
                        18, "spec.variants[0].scheme", "'int3-magic' is not one of fp16, int8-dynamic"),
                Arguments.of("bad block_size", PolicyFiles.withLine("p", 20, "      block_size: 12"),
                        20, "spec.variants[1].block_size", "12 is not a power of two"),
                Arguments.of("parameter the scheme does not have", PolicyFiles.withLine("p", 18,
                        "    - {scheme: int8-dynamic, block_size: 64}"), 18, "spec.variants[0].block_size",
                        "unknown parameter for scheme int8-dynamic"),
                Arguments.of("bad calibration method", PolicyFiles.withLine("p", 21,
                        "    - {scheme: int8-static, calibration: {method: percentil}}"), 21,
                        "spec.variants[2].calibration.method", "'percentil' is not one of minmax, percentile, entropy"),
                Arguments.of("percentile out of range", PolicyFiles.withLine("p", 21,
                        "    - {scheme: int8-static, calibration: {method: percentile, percentile: 20}}"), 21,
                        "spec.variants[2].calibration.percentile", "is not in (50, 100]"),
                Arguments.of("missing metadata.name", PolicyFiles.withoutLine("p", 4),
                        3, "metadata.name", "missing required field 'name'"),
                Arguments.of("name that is not a DNS label", PolicyFiles.withLine("p", 4, "  name: Credit_Scoring"),
                        4, "metadata.name", "'Credit_Scoring' does not match"),
                Arguments.of("wrong apiVersion", PolicyFiles.withLine("p", 1, "apiVersion: quantgate.dev/v2"),
                        1, "apiVersion", "must be 'quantgate.dev/v1'"),
                Arguments.of("bad YAML syntax", PolicyFiles.withLine("p", 13, "    classes: [\"<=50K\", \">50K\""),
                        14, "", "YAML syntax error"),
                Arguments.of("duplicate key", PolicyFiles.withLine("p", 16, "    label: again"),
                        16, "spec.evaluation.label", "duplicate key 'label' (first on line 11)"),
                Arguments.of("bad duration", PolicyFiles.withLine("p", 24, "  waivers: {max_duration: 30 days}"),
                        24, "spec.waivers.max_duration", "'30 days' does not match"),
                Arguments.of("bucket on a column that is not sensitive", PolicyFiles.withLine("p", 15,
                        "    buckets: {income: [1, 2]}"), 15, "spec.evaluation.buckets.income", "not a sensitive attribute"),
                Arguments.of("positive class not among the classes", PolicyFiles.withLine("p", 12,
                        "    positive: yes"), 12, "spec.evaluation.positive", "is not one of the classes"),
                Arguments.of("rule without a threshold", PolicyFiles.withLine("p", 23,
                        "    - {id: accuracy-drop, metric: accuracy}"), 23, "spec.rules[0]", "needs at least one of value, change, require, cel"),
                Arguments.of("per_group neither 'all' nor a list", PolicyFiles.withLine("p", 23,
                        "    - {id: g, metric: accuracy, per_group: some, value: {min: 0.5}}"), 23, "spec.rules[0].per_group",
                        "must be 'all', was 'some', or"),
                Arguments.of("unknown small_groups", PolicyFiles.withLine("p", 24, "  small_groups: maybe"),
                        24, "spec.small_groups", "'maybe' is not one of deny, needs_approval, ignore"),
                Arguments.of("empty file", "", 1, "", "the file is empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void shouldRefuseABrokenFileNamingLineAndField(String why, String text, int line, String field, String message) {
        PolicyFileException e = assertThrows(PolicyFileException.class,
                () -> PolicyLoader.load("broken.yaml", text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.errors().stream().anyMatch(err -> err.line() == line && err.field().equals(field)
                        && err.message().contains(message) && err.file().equals("broken.yaml")),
                why + ": expected line " + line + " field '" + field + "' with '" + message + "', got " + e.errors());
    }
}
