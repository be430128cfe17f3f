package io.distill4j.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.distill4j.UserError;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** An exported ONNX model in ONNX Runtime (CPU), with as many intra-op threads as the PyTorch engine uses. */
final class OnnxRunner implements Runner {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final long[] shape;

    OnnxRunner(Path file, int channels, int height, int width, int threads) {
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(file.toString(), options);
            this.input = session.getInputNames().iterator().next();
        } catch (OrtException e) {
            throw new UserError(file + ": ONNX Runtime cannot load the model: " + e.getMessage());
        }
        this.shape = new long[] {0, channels, height, width};
    }

    @Override
    public float[] logits(float[] pixels, int n) {
        long[] s = shape.clone();
        s[0] = n;
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels, 0, (int) (n * s[1] * s[2] * s[3])), s);
             OrtSession.Result r = session.run(Map.of(input, x))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] a = new float[out.remaining()];
            out.get(a);
            return a;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() { return "onnxruntime"; }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing: nothing left to do
        }
    }
}
