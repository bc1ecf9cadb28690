package dev.quantgate.quantize.scheme;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.quantgate.quantize.spec.QuantizationSpec;

import java.util.List;

/** One quantization scheme: rewrites a validated model according to a spec of its kind. */
public interface QuantizationScheme {

    /** Names of the nodes this spec would quantize (before exclusions by sensitivity). */
    List<String> candidates(ModelProto model, QuantizationSpec spec, SchemeContext context);

    SchemeResult apply(ModelProto model, QuantizationSpec spec, SchemeContext context);
}
