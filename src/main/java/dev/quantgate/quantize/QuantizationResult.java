package dev.quantgate.quantize;

import dev.quantgate.quantize.spec.CanonicalJson;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one quantization: the effective spec (with the calibration data hash filled in),
 * the source and output sizes, which nodes were quantized and which kept in float (and why).
 */
public record QuantizationResult(
        QuantizationSpec spec,
        String sourceSha256,
        Path output,
        long sourceBytes,
        long outputBytes,
        List<String> quantizedNodes,
        Map<String, String> keptNodes,
        long millis,
        String providers) {

    /** One line of JSON for the command line (sorted keys). */
    public String toJsonLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scheme", spec.scheme().id());
        m.put("spec_sha256", spec.sha256());
        m.put("source_sha256", sourceSha256);
        m.put("output", output.toString());
        m.put("source_bytes", sourceBytes);
        m.put("output_bytes", outputBytes);
        m.put("nodes_quantized", (long) quantizedNodes.size());
        m.put("nodes_kept", (long) keptNodes.size());
        m.put("kept", keptNodes);
        m.put("millis", millis);
        m.put("runtime", providers);
        return CanonicalJson.write(m);
    }
}
