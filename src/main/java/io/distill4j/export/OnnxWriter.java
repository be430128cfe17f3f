package io.distill4j.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import com.google.protobuf.ByteString;
import io.distill4j.export.onnx.Onnx.AttributeProto;
import io.distill4j.export.onnx.Onnx.GraphProto;
import io.distill4j.export.onnx.Onnx.ModelProto;
import io.distill4j.export.onnx.Onnx.NodeProto;
import io.distill4j.export.onnx.Onnx.OperatorSetIdProto;
import io.distill4j.export.onnx.Onnx.StringStringEntryProto;
import io.distill4j.export.onnx.Onnx.TensorProto;
import io.distill4j.export.onnx.Onnx.TensorShapeProto;
import io.distill4j.export.onnx.Onnx.TypeProto;
import io.distill4j.export.onnx.Onnx.ValueInfoProto;
import io.distill4j.models.MaxPool;
import io.distill4j.models.Network;
import io.distill4j.models.ResidualBlock;
import io.distill4j.models.SqueezeExcitation;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link ClassifierBlock} as an ONNX model (opset {@value #OPSET}, IR version {@value #IR_VERSION}) built with the
 * ONNX schema's messages ({@code src/main/proto/onnx.proto}, compiled by protoc): one graph from {@code input}
 * (N, C, H, W) in [0, 1] to {@code logits} (N, classes), the batch dimension free. The block's parts map one to one
 * onto standard operators: Sub and Div (normalisation), Conv, BatchNormalization in inference form (running
 * statistics; ONNX Runtime folds it into the convolution when it loads the model), Relu, Clip (ReLU6), HardSwish,
 * HardSigmoid (the squeeze-excitation gate, alpha 1/6 and beta 1/2 as PyTorch's), MaxPool, Add (residual sums,
 * every branch active), Mul (excitation), GlobalAveragePool + Flatten, Gemm (linear layers). Initializers are
 * named after the parameters of the block ({@code network_stem_01Conv2d_weight}). The model card goes into the
 * model's metadata, one entry per key.
 */
final class OnnxWriter {
    static final int OPSET = 17;
    static final long IR_VERSION = 8;
    static final String INPUT = "input";
    static final String OUTPUT = "logits";

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("distill4j");
    private final Map<Parameter, String> names = new IdentityHashMap<>();
    private final Map<Parameter, Boolean> written = new IdentityHashMap<>();
    private int values;
    private String relu6Min;
    private String relu6Max;

    private OnnxWriter(ClassifierBlock block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.put(p.getValue(), p.getKey());
        }
    }

    /** The serialised model. */
    static byte[] write(ClassifierBlock block, ModelCard card) {
        return model(block, card).toByteArray();
    }

    static ModelProto model(ClassifierBlock block, ModelCard card) {
        Network net = block.network();
        if (!net.isWhole()) {
            throw new IllegalStateException(net.arch() + ": a sub-network is applied; export the whole network");
        }
        OnnxWriter w = new OnnxWriter(block);
        w.graph.addInput(value(INPUT, card.channels(), card.height(), card.width()));
        long[] perChannel = {1, card.channels(), 1, 1};
        String x = w.node("Sub", List.of(INPUT, w.constant("mean", block.mean(), perChannel)));
        x = w.node("Div", List.of(x, w.constant("std", block.std(), perChannel)));
        Network.Layout layout = net.layout();
        for (Block b : layout.maps()) {
            x = w.emit(b, x);
        }
        if (layout.pooled()) {
            x = w.node("Flatten", List.of(w.node("GlobalAveragePool", List.of(x))), intAttr("axis", 1));
        }
        if (layout.preLogits() != null) {
            x = w.emit(layout.preLogits(), x);
        }
        Block classifier = block.head() != null ? block.head().layout().classifier() : layout.classifier();
        w.emitAs(classifier, x, OUTPUT);
        w.graph.addOutput(value(OUTPUT, card.numClasses()));
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("distill4j")
                .setProducerVersion(ModelCard.PRODUCER.substring(ModelCard.PRODUCER.indexOf(' ') + 1))
                .setDocString(card.arch() + " '" + card.network() + "' trained by distill4j on " + card.dataset()
                        + ", " + card.numClasses() + " classes. Input '" + INPUT + "': " + ModelCard.INPUT
                        + ". Output '" + OUTPUT + "': logits (N, " + card.numClasses() + "); softmax gives the "
                        + "probabilities. Class names, normalisation, config and checkpoint: the metadata.")
                .setGraph(w.graph);
        card.toMetadata().forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k)
                .setValue(v)));
        return m.build();
    }

    /** Writes the nodes of {@code b} applied to value {@code x}; returns the output value's name. */
    private String emit(Block b, String x) {
        return emitAs(b, x, null);
    }

    /** As {@link #emit}, naming the last node's output {@code out} when not null (single-node blocks only). */
    private String emitAs(Block b, String x, String out) {
        if (b instanceof SequentialBlock s) {
            if (out != null) {
                throw new IllegalStateException("the graph's output must come from a single layer");
            }
            for (Block child : s.getChildren().values()) {
                x = emit(child, x);
            }
            return x;
        }
        if (b instanceof Convolution c) {
            int dims = c.getKernelShape().dimension();
            long[] pads = new long[2 * dims];
            for (int i = 0; i < dims; i++) {
                pads[i] = c.getPadding().get(i);
                pads[i + dims] = c.getPadding().get(i);
            }
            List<String> in = c.isIncludeBias() ? List.of(x, param(b, "weight"), param(b, "bias"))
                    : List.of(x, param(b, "weight"));
            return nodeAs("Conv", in, out, intsAttr("kernel_shape", c.getKernelShape().getShape()),
                    intsAttr("strides", c.getStride().getShape()), intsAttr("pads", pads),
                    intsAttr("dilations", c.getDilation().getShape()), intAttr("group", c.getGroups()));
        }
        if (b instanceof BatchNorm) {
            return nodeAs("BatchNormalization", List.of(x, param(b, "gamma"), param(b, "beta"),
                    param(b, "runningMean"), param(b, "runningVar")), out, floatAttr("epsilon", Network.BN_EPSILON));
        }
        if (b instanceof Linear) {
            return nodeAs("Gemm", List.of(x, param(b, "weight"), param(b, "bias")), out, intAttr("transB", 1));
        }
        if (b instanceof ResidualBlock r) {
            if (!r.isActive() || r.scale() != 1f) {
                throw new IllegalStateException("a residual branch is switched off or scaled; export the whole network");
            }
            String p = r.pre() == null ? x : emit(r.pre(), x);
            String branch = emit(r.branch(), p);
            String shortcut = r.shortcut() == null ? x : emit(r.shortcut(), p);
            String sum = nodeAs("Add", List.of(branch, shortcut), r.reluAfter() ? null : out);
            return r.reluAfter() ? nodeAs("Relu", List.of(sum), out) : sum;
        }
        if (b instanceof SqueezeExcitation se) {
            String s = node("GlobalAveragePool", List.of(x));
            s = node("Relu", List.of(emit(se.fc1(), s)));
            s = node("HardSigmoid", List.of(emit(se.fc2(), s)), floatAttr("alpha", 1f / 6), floatAttr("beta", 0.5f));
            return nodeAs("Mul", List.of(x, s), out);
        }
        if (b instanceof MaxPool p) {
            long k = p.kernel();
            long s = p.stride();
            long pad = p.padding();
            return nodeAs("MaxPool", List.of(x), out, intsAttr("kernel_shape", new long[] {k, k}),
                    intsAttr("strides", new long[] {s, s}), intsAttr("pads", new long[] {pad, pad, pad, pad}));
        }
        if (b instanceof LambdaBlock l) {
            switch (l.getName()) {
                case "ReLU":
                    return nodeAs("Relu", List.of(x), out);
                case "hardswish":
                    return nodeAs("HardSwish", List.of(x), out);
                case "relu6":
                    if (relu6Min == null) {
                        relu6Min = constant("relu6_min", new float[] {0f});
                        relu6Max = constant("relu6_max", new float[] {6f});
                    }
                    return nodeAs("Clip", List.of(x, relu6Min, relu6Max), out);
                default:
                    break;
            }
        }
        throw new IllegalStateException("no ONNX form for layer " + b.getClass().getSimpleName()
                + (b instanceof LambdaBlock l ? " '" + l.getName() + "'" : ""));
    }

    private String node(String op, List<String> inputs, AttributeProto... attributes) {
        return nodeAs(op, inputs, null, attributes);
    }

    private String nodeAs(String op, List<String> inputs, String out, AttributeProto... attributes) {
        String name = op.toLowerCase(Locale.ROOT) + "_" + values++;
        String output = out != null ? out : name;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    /** The initializer of one of {@code block}'s own parameters (written once, however often used). */
    private String param(Block block, String key) {
        Parameter p = block.getParameters().get(key);
        if (p == null) {
            throw new IllegalStateException(block.getClass().getSimpleName() + " has no parameter " + key);
        }
        String name = names.get(p);
        if (written.put(p, true) == null) {
            NDArray a = p.getArray();
            graph.addInitializer(tensor(name, a.toFloatArray(), a.getShape().getShape()));
        }
        return name;
    }

    private String constant(String name, float[] data, long... dims) {
        graph.addInitializer(tensor(name, data, dims));
        return name;
    }

    private static TensorProto tensor(String name, float[] data, long[] dims) {
        ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN); // ONNX raw_data
        raw.asFloatBuffer().put(data);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float tensor value of shape (batch, dims...), the batch dimension symbolic. */
    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static AttributeProto intsAttr(String name, long[] v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }
}
