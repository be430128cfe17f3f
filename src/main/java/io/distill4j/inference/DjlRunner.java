package io.distill4j.inference;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/** An exported DJL model folder, loaded the way any DJL application does: {@code Criteria} and a translator. */
final class DjlRunner implements Runner {
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final int channels;
    private final int height;
    private final int width;

    DjlRunner(Path dir, int channels, int height, int width) {
        try {
            this.model = Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(dir)
                    .optTranslator(new NoopTranslator(null)).build().loadModel();
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            throw new UserError(dir + ": DJL cannot load the model: " + e.getMessage());
        }
        this.predictor = model.newPredictor();
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    @Override
    public float[] logits(float[] pixels, int n) {
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDList in = new NDList(batch.create(FloatBuffer.wrap(pixels, 0, n * channels * height * width),
                    new Shape(n, channels, height, width)));
            NDList out = predictor.predict(in);
            float[] logits = out.get(0).toFloatArray();
            out.close();
            return logits;
        } catch (TranslateException e) {
            throw new IllegalStateException("DJL prediction failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() { return "djl"; }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }
}
