package io.distill4j.foreign;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A DJL model folder as {@code distill4j export --format djl} writes it, loaded the way any DJL application does
 * ({@code Criteria}; its {@code serving.properties} names the block factory) and run block-wise on the engine's
 * own arrays.
 */
public final class DjlExportModel implements ForeignModel {
    private final Path dir;
    private final ZooModel<NDList, NDList> model;

    private DjlExportModel(Path dir, ZooModel<NDList, NDList> model) {
        this.dir = dir;
        this.model = model;
    }

    /** Loads the export folder {@code dir} onto {@code device}. */
    public static DjlExportModel load(Path dir, Device device) {
        try {
            return new DjlExportModel(dir, Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(dir)
                    .optDevice(device).optTranslator(new NoopTranslator(null)).build().loadModel());
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            throw new UserError(dir + ": DJL cannot load the model: " + ModelFiles.firstLine(e.getMessage()));
        }
    }

    @Override
    public NDArray forward(NDArray x) {
        return forwardAll(x).singletonOrThrow();
    }

    @Override
    public NDList forwardAll(NDArray x) {
        NDList out = model.getBlock().forward(new ParameterStore(x.getManager(), false), new NDList(x), false);
        out.attach(x.getManager());
        return out;
    }

    @Override
    public Path file() { return dir; }

    @Override
    public String runtime() { return "djl"; }

    @Override
    public void close() {
        model.close();
    }
}
