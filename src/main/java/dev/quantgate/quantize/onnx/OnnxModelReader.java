package dev.quantgate.quantize.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.quantgate.quantize.QuantizationException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads an ONNX model and refuses what the engine cannot quantize faithfully: a file that is not
 * ONNX, a truncated one, an opset or operator outside what it supports, external
 * data that escapes the model's directory. Each refusal is a {@link QuantizationException} naming the problem.
 */
public final class OnnxModelReader {

    public static final long MIN_OPSET = 10;
    public static final long MAX_OPSET = 23;
    private static final Set<String> ACCEPTED_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", Nodes.MS_DOMAIN);

    private OnnxModelReader() {
    }

    /** Reads a model file, its external data resolved and mapped (see {@link ModelFile}). */
    public static ModelProto read(Path file) {
        return ModelFile.load(file).model();
    }

    /** Parses and checks a self-contained model held in memory (external data needs {@link #read(Path)}). */
    public static ModelProto parse(byte[] bytes, String what) {
        ModelProto model = parse(UnsafeByteOperations.unsafeWrap(bytes), what);
        if (ExternalData.uses(model)) {
            ExternalData.forEachTensor(model.getGraph(), OnnxModelReader::checkEmbedded);
        }
        validate(model, what);
        return model;
    }

    /** Parses the model file only, without resolving its external data (for {@link ExternalData#verifyConfined}). */
    static ModelProto parseHeader(Path file) {
        return ModelFile.parseMapped(file.toAbsolutePath(), "model " + file);
    }

    /** Parses without the graph checks; bytes fields alias {@code data} (no copy). */
    static ModelProto parse(ByteString data, String what) {
        if (data.isEmpty()) {
            throw new QuantizationException(what + " is empty, not an ONNX model");
        }
        byte[] bytes = {data.byteAt(0)};
        ModelProto model;
        try {
            CodedInputStream in = data.newCodedInput();
            in.enableAliasing(true);
            in.setRecursionLimit(512);
            model = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            String msg = String.valueOf(e.getMessage());
            if (looksLikeModelStart(bytes[0]) && (msg.contains("ended unexpectedly") || msg.contains("truncated"))) {
                throw new QuantizationException(what + " is truncated or corrupt: the ONNX protobuf ends unexpectedly", e);
            }
            throw new QuantizationException(what + " is not an ONNX model (" + msg + ")", e);
        } catch (IOException e) {
            throw new QuantizationException(what + " cannot be parsed: " + e.getMessage(), e);
        }
        return model;
    }

    /** The first byte of a serialized ModelProto is the tag of one of its fields (ir_version first, usually). */
    private static boolean looksLikeModelStart(byte first) {
        return switch (first) {
            case 0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72 -> true;
            default -> false;
        };
    }

    /** The graph checks: opsets, operators, every input defined. */
    public static void validate(ModelProto model, String what) {
        if (model.getIrVersion() <= 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new QuantizationException(what + " is not an ONNX model (no ir_version or no graph)");
        }
        if (model.getOpsetImportCount() == 0) {
            throw new QuantizationException(what + " has no opset_import (truncated or not an ONNX model)");
        }
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            String d = o.getDomain();
            if ((d.isEmpty() || d.equals("ai.onnx")) && (o.getVersion() < MIN_OPSET || o.getVersion() > MAX_OPSET)) {
                throw new QuantizationException(what + " uses unsupported opset " + o.getVersion()
                        + " of domain ai.onnx (supported: " + MIN_OPSET + " to " + MAX_OPSET + ")");
            }
        }
        GraphProto g = model.getGraph();
        Set<String> available = new HashSet<>();
        available.add("");
        for (TensorProto t : g.getInitializerList()) {
            available.add(t.getName());
        }
        g.getInputList().forEach(v -> available.add(v.getName()));
        for (NodeProto n : g.getNodeList()) {
            String domain = n.getDomain();
            if (!ACCEPTED_DOMAINS.contains(domain)) {
                throw new QuantizationException(what + " uses unsupported operator " + n.getOpType()
                        + " of domain " + domain + " (node " + Nodes.label(n) + ")");
            }
            if ((domain.isEmpty() || domain.equals("ai.onnx")) && !OnnxOps.STANDARD.contains(n.getOpType())) {
                throw new QuantizationException(what + " uses unsupported operator " + n.getOpType()
                        + " (node " + Nodes.label(n) + "): not a standard ONNX operator");
            }
            for (String in : n.getInputList()) {
                if (!available.contains(in)) {
                    throw new QuantizationException(what + " is truncated or inconsistent: node " + Nodes.label(n)
                            + " reads tensor '" + in + "' that nothing defines");
                }
            }
            available.addAll(n.getOutputList());
        }
        for (var out : g.getOutputList()) {
            if (!available.contains(out.getName())) {
                throw new QuantizationException(what + " is truncated or inconsistent: graph output '"
                        + out.getName() + "' is never computed");
            }
        }
    }

    private static void checkEmbedded(TensorProto t) {
        if (ExternalData.isExternal(t)) {
            String location = t.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                    .map(StringStringEntryProto::getValue).findFirst().orElse("?");
            throw new QuantizationException("tensor '" + t.getName() + "' is in external data file '"
                    + location + "': give the model's file path so that its sidecar files can be found");
        }
    }
}
