package dev.quantgate.quantize;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides when a model holds nothing any quantization would change: classic-ML operators from
 * {@code ai.onnx.ml} (tree ensembles, linear classifiers and regressors, SVMs, ...) keep their
 * parameters in node attributes that ONNX Runtime only runs in float or double, so no scheme can
 * make them smaller or faster.
 */
final class Applicability {

    static final String ML_DOMAIN = "ai.onnx.ml";

    /** Standard operators that move or relabel data and compute nothing a scheme would quantize. */
    private static final Set<String> PLUMBING = Set.of("Cast", "CastLike", "Identity", "Reshape", "Flatten",
            "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Transpose", "Shape", "Size", "ArgMax", "ArgMin",
            "Softmax", "Sigmoid", "Constant", "GatherElements", "Expand", "Tile", "Where", "Equal",
            "Greater", "Less", "Not", "And", "Or");

    private Applicability() {
    }

    /**
     * @param candidates the nodes the scheme would quantize
     * @return the model's operator types when there is nothing to quantize, else empty
     */
    static Optional<List<String>> nothingToQuantize(ModelProto model, List<String> candidates) {
        boolean anyMl = false;
        boolean onlyMlOrPlumbing = true;
        Set<String> ops = new LinkedHashSet<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            boolean ml = n.getDomain().equals(ML_DOMAIN);
            anyMl |= ml;
            onlyMlOrPlumbing &= ml || ((n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                    && PLUMBING.contains(n.getOpType()));
            ops.add(ml ? n.getOpType() + " (" + ML_DOMAIN + ")" : n.getOpType());
        }
        if (anyMl && (onlyMlOrPlumbing || candidates.isEmpty())) {
            return Optional.of(new ArrayList<>(ops));
        }
        return Optional.empty();
    }
}
