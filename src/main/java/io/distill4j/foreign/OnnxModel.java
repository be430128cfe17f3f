package io.distill4j.foreign;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.distill4j.UserError;
import io.distill4j.util.HostArrays;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ONNX file run by ONNX Runtime on the CPU. Its one input must be a float tensor of rank 4; its first output
 * is the logits. A batch crosses to the host and back (ONNX Runtime keeps its own memory).
 */
public final class OnnxModel implements ForeignModel {
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final long[] inputShape;

    private OnnxModel(Path file, OrtEnvironment env, OrtSession session, String input, long[] inputShape) {
        this.file = file;
        this.env = env;
        this.session = session;
        this.input = input;
        this.inputShape = inputShape;
    }

    /**
     * Loads {@code file} with {@code threads} intra-op threads; a file that is not ONNX, uses an operator ONNX
     * Runtime lacks, or does not take one rank-4 float input is a one-line error naming the file.
     */
    public static OnnxModel load(Path file, int threads) {
        ModelFiles.requireNonEmpty(file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new UserError(file + ": " + why(e.getMessage()));
        }
        try {
            if (session.getNumInputs() != 1) {
                throw new UserError(file + ": the ONNX model takes " + session.getNumInputs() + " inputs "
                        + session.getInputNames() + "; a classifier takes one image batch (N, C, H, W)");
            }
            Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
            if (!(in.getValue().getInfo() instanceof TensorInfo t)
                    || t.type != ai.onnxruntime.OnnxJavaType.FLOAT || t.getShape().length != 4) {
                throw new UserError(file + ": the ONNX model's input '" + in.getKey() + "' is "
                        + in.getValue().getInfo() + "; a classifier takes float32 images of rank 4 (N, C, H, W)");
            }
            return new OnnxModel(file, env, session, in.getKey(), t.getShape());
        } catch (OrtException e) {
            closeQuietly(session);
            throw new UserError(file + ": ONNX Runtime cannot read the model's input: " + ModelFiles.firstLine(
                    e.getMessage()));
        } catch (UserError e) {
            closeQuietly(session);
            throw e;
        }
    }

    /** ONNX Runtime's reason, as one line: an unknown operator is named, anything else is "not ONNX". */
    static String why(String message) {
        String m = ModelFiles.firstLine(message);
        Matcher op = Pattern.compile("No Op registered for (\\S+)").matcher(m);
        if (op.find()) {
            return "the ONNX model uses operator " + op.group(1) + ", which ONNX Runtime does not have (ONNX Runtime "
                    + "says: " + m + ")";
        }
        if (m.contains("not a registered function/op") || m.contains("Could not find an implementation")
                || m.contains("No opset import for domain") || m.contains("is not a registered")) {
            return "the ONNX model uses an operator that ONNX Runtime does not have: " + m;
        }
        return "not an ONNX model (the file is corrupt, truncated, or of another format; ONNX Runtime says: " + m + ")";
    }

    /** The input shape the file declares; -1 (or a symbolic name's -1) for a free dimension. */
    public long[] declaredInputShape() { return inputShape.clone(); }

    @Override
    public NDArray forward(NDArray x) {
        return forwardAll(x).get(0);
    }

    @Override
    public NDList forwardAll(NDArray x) {
        long[] shape = x.getShape().getShape();
        float[] pixels = x.toFloatArray();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), shape);
             OrtSession.Result r = session.run(Map.of(input, t))) {
            NDList outputs = new NDList();
            for (int i = 0; i < r.size(); i++) {
                OnnxTensor out = (OnnxTensor) r.get(i);
                FloatBuffer b = out.getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                outputs.add(HostArrays.floats(x.getManager(), a, new Shape(out.getInfo().getShape())));
            }
            return outputs;
        } catch (OrtException e) {
            throw new UserError(file + ": ONNX Runtime failed on a batch of shape " + x.getShape() + ": "
                    + ModelFiles.firstLine(e.getMessage()));
        }
    }

    @Override
    public Path file() { return file; }

    @Override
    public String runtime() { return "onnxruntime"; }

    @Override
    public void close() {
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException e) {
            // closing: nothing left to do
        }
    }
}
