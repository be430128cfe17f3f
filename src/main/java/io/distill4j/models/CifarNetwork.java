package io.distill4j.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * The common shape of this project's networks: stem, a body of blocks, an optional head, global average
 * pooling (so any input resolution works), an optional pre-logits layer ((N, C) to (N, D), as MobileNetV3's
 * classifier {@code Linear(C, D) - hardswish - Linear(D, classes)}) and a linear classifier. Returns
 * {@code (logits, features)}: the features are the classifier's input (the pre-logits layer's output where there
 * is one), so {@code logits = fc(features)} in every network of the zoo. Child names: stem, block{i}, head,
 * prelogits, fc.
 */
final class CifarNetwork extends Network {
    private final Block stem;
    private final List<Block> body = new ArrayList<>();
    private final Block head;
    private final Block preLogits;
    private final Block fc;
    private final int featureDim;
    private final List<ResidualUnit> units = new ArrayList<>();

    CifarNetwork(String arch, int numClasses, Block stem, List<Block> body, Block head, int featureDim) {
        this(arch, numClasses, stem, body, head, null, featureDim);
    }

    /** @param preLogits a block from the pooled (N, C) to the classifier's input (N, featureDim), or null */
    CifarNetwork(String arch, int numClasses, Block stem, List<Block> body, Block head, Block preLogits,
                 int featureDim) {
        super(arch, numClasses);
        this.stem = addChildBlock("stem", stem);
        for (int i = 0; i < body.size(); i++) {
            Block b = addChildBlock("block" + i, body.get(i));
            this.body.add(b);
            if (b instanceof ResidualUnit u) {
                units.add(u);
            }
        }
        this.head = head == null ? null : addChildBlock("head", head);
        this.preLogits = preLogits == null ? null : addChildBlock("prelogits", preLogits);
        this.fc = addChildBlock("fc", Linear.builder().setUnits(numClasses).build());
        this.featureDim = featureDim;
    }

    @Override
    public int featureDim() { return featureDim; }

    @Override
    public List<ResidualUnit> residualUnits() { return units; }

    @Override
    public Layout layout() {
        List<Block> maps = new ArrayList<>();
        maps.add(stem);
        maps.addAll(body);
        if (head != null) {
            maps.add(head);
        }
        return new Layout(maps, true, preLogits, fc);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        List<Block> maps = new ArrayList<>(body.size() + 2); // intermediate arrays released layer by layer
        maps.add(stem);
        maps.addAll(body);
        if (head != null) {
            maps.add(head);
        }
        NDList x = Scopes.chain(maps, ps, inputs, training, channelsLast());
        NDArray last = x.singletonOrThrow();
        Shape shape = last.getShape(); // global average pooling (the engine averages one axis at a time)
        NDArray features = last.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2});
        if (preLogits != null) {
            features = preLogits.forward(ps, new NDList(features), training).singletonOrThrow();
        }
        NDArray logits = fc.forward(ps, new NDList(features), training).singletonOrThrow();
        return new NDList(logits, features);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, numClasses()), new Shape(n, featureDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        stem.initialize(manager, dataType, s);
        s = stem.getOutputShapes(s);
        for (Block b : body) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(s);
        }
        if (head != null) {
            head.initialize(manager, dataType, s);
            s = head.getOutputShapes(s);
        }
        Shape[] pooled = {new Shape(s[0].get(0), s[0].get(1))};
        if (preLogits != null) {
            preLogits.initialize(manager, dataType, pooled);
            pooled = preLogits.getOutputShapes(pooled);
        }
        fc.initialize(manager, dataType, pooled);
    }
}
