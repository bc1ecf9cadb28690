package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.util.List;
import java.util.Map;

/**
 * What a scheme did: the rewritten model, the nodes it quantized, and the candidate nodes it kept
 * in float with the reason for each.
 */
public record SchemeResult(ModelProto model, List<String> quantized, Map<String, String> kept) {
}
