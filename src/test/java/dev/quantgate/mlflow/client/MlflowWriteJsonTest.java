package dev.quantgate.mlflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox's stored form of a write: kind plus canonical JSON, read back as the same record. */
class MlflowWriteJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<MlflowWrite> writes() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("scheme", "fp16");
        params.put("weights", "fp16");
        return List.of(
                new MlflowWrite.SetAlias("m", "champion", "3"),
                new MlflowWrite.DeleteAlias("m", "champion"),
                new MlflowWrite.SetVersionTag("m", "1", "quantgate.status", "running"),
                new MlflowWrite.DeleteVersionTag("m", "1", "quantgate.status"),
                new MlflowWrite.TransitionStage("m", "1", "Staging", true),
                new MlflowWrite.CreateJobRun("m", "1", 42, "quantgate", "m-v1-fp16", Map.of("quantgate.scheme", "fp16")),
                new MlflowWrite.LogRunResults("m", 42, "run1", params, Map.of("size_bytes", 2251.0, "delta", -0.0012),
                        Map.of("quantgate.scheme", "fp16"), "FINISHED"),
                new MlflowWrite.CreateVariantVersion("m", 42, "mlflow-artifacts:/2/run1/artifacts/model", "run1",
                        Map.of("quantgate.variant_of", "1")));
    }

    @ParameterizedTest
    @MethodSource("writes")
    void shouldReadBackTheSameWriteFromItsKindAndJson(MlflowWrite write) {
        String stored = MlflowWriteJson.write(write, JSON);

        assertEquals(write, MlflowWriteJson.read(write.kind(), stored, JSON));
        assertEquals(stored, MlflowWriteJson.write(MlflowWriteJson.read(write.kind(), stored, JSON), JSON),
                "canonical: the same write always has the same text");
    }

    @Test
    void shouldStoreACompositeWriteAsItsComponentsInCanonicalJson() {
        MlflowWrite write = new MlflowWrite.CreateJobRun("credit-scorer", "1", 42, "quantgate", "credit-scorer-v1-fp16",
                Map.of("quantgate.scheme", "fp16"));

        assertEquals("{\"experimentName\":\"quantgate\",\"jobId\":42,\"model\":\"credit-scorer\","
                + "\"runName\":\"credit-scorer-v1-fp16\",\"tags\":{\"quantgate.scheme\":\"fp16\"},\"version\":\"1\"}",
                MlflowWriteJson.write(write, JSON));
    }

    @Test
    void shouldRefuseAnUnknownKindAndARunEndingOtherwise() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> MlflowWriteJson.read("drop-model", "{}", JSON));
        assertTrue(unknown.getMessage().contains("drop-model"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MlflowWrite.LogRunResults("m", 1, "r", Map.of(),
                Map.of(), "RUNNING"));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> new MlflowWrite.LogRunResults(
                "m", 1, "r", Map.of(), Map.of("latency_ratio", Double.NaN), "FINISHED"));
        assertTrue(nan.getMessage().contains("latency_ratio"), nan.getMessage());
    }
}
