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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The common shape of this project's networks: stem, a body of blocks, an optional head, global average
 * pooling (so any input resolution works), an optional pre-logits layer ((N, C) to (N, D), as MobileNetV3's
 * classifier {@code Linear(C, D) - hardswish - Linear(D, classes)}) and a linear classifier. Returns
 * {@code (logits, features)}: the features are the classifier's input (the pre-logits layer's output where there
 * is one), so {@code logits = fc(features)} in every network of the zoo. Child names: stem, block{i}, head,
 * prelogits, fc.
 *
 * <p>Feature maps by name (feature methods, {@link Network#STAGES}): the output of {@code stem}, of each
 * {@code block{i}} and of {@code head}, and {@code stage{k}}: the output of the last layer at the k-th spatial
 * resolution, counted from the input (for the CIFAR ResNets: the outputs of the three stages of 16k, 32k and 64k
 * channels, as mdistiller's {@code feats[1..3]}).
 */
final class CifarNetwork extends Network {
    private final Block stem;
    private final List<Block> body = new ArrayList<>();
    private final Block head;
    private final Block preLogits;
    private final Block fc;
    private final int featureDim;
    private final List<ResidualUnit> units = new ArrayList<>();
    private final Map<String, Integer> stages = new LinkedHashMap<>(); // name -> index into maps(), once initialised

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
        return new Layout(maps(), true, preLogits, fc);
    }

    private List<Block> maps() {
        List<Block> maps = new ArrayList<>(body.size() + 2);
        maps.add(stem);
        maps.addAll(body);
        if (head != null) {
            maps.add(head);
        }
        return maps;
    }

    private static String mapName(int index, int bodySize) {
        return index == 0 ? "stem" : index <= bodySize ? "block" + (index - 1) : "head";
    }

    @Override
    public Map<String, String> stageNames() {
        Map<String, String> out = new LinkedHashMap<>();
        stages.forEach((name, i) -> out.put(name, mapName(i, body.size())));
        return out;
    }

    /** Names every map output, given each map's output height: the layer names, then stage{k} aliases first. */
    private void nameStages(List<Long> heights) {
        stages.clear();
        int k = 0;
        for (int i = 0; i < heights.size(); i++) {
            if (i == heights.size() - 1 || !heights.get(i + 1).equals(heights.get(i))) {
                stages.put("stage" + ++k, i);
            }
        }
        for (int i = 0; i < heights.size(); i++) {
            stages.put(mapName(i, body.size()), i);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        List<Block> maps = maps(); // intermediate arrays released layer by layer
        Object asked = params == null ? null : params.get(STAGES);
        List<?> wanted = asked instanceof List<?> l ? l : List.of();
        NDArray[] kept = new NDArray[maps.size()];
        NDList x = inputs;
        int start = 0;
        for (int cut : cuts(wanted)) { // a chain up to each asked map, whose output is kept
            x = Scopes.chain(maps.subList(start, cut + 1), ps, x, training, channelsLast());
            kept[cut] = x.singletonOrThrow();
            start = cut + 1;
        }
        if (start < maps.size()) {
            x = Scopes.chain(maps.subList(start, maps.size()), ps, x, training, channelsLast());
        }
        NDArray last = x.singletonOrThrow();
        Shape shape = last.getShape(); // global average pooling (the engine averages one axis at a time)
        NDArray features = last.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2});
        if (preLogits != null) {
            features = preLogits.forward(ps, new NDList(features), training).singletonOrThrow();
        }
        NDArray logits = fc.forward(ps, new NDList(features), training).singletonOrThrow();
        NDList out = new NDList(logits, features);
        for (Object name : wanted) {
            out.add(kept[stages.get(name)]);
        }
        return out;
    }

    /** The map indices whose outputs are asked for, ascending, each once. */
    private int[] cuts(List<?> wanted) {
        return wanted.stream().mapToInt(name -> {
            Integer i = stages.get(name);
            if (i == null) {
                throw new IllegalArgumentException(arch() + " has no stage '" + name + "' (stages: "
                        + String.join(", ", stages.keySet()) + ")");
            }
            return i;
        }).distinct().sorted().toArray();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        return new Shape[] {new Shape(n, numClasses()), new Shape(n, featureDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        List<Long> heights = new ArrayList<>();
        for (Block b : maps()) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(s);
            heights.add(s[0].get(2));
        }
        nameStages(heights);
        Shape[] pooled = {new Shape(s[0].get(0), s[0].get(1))};
        if (preLogits != null) {
            preLogits.initialize(manager, dataType, pooled);
            pooled = preLogits.getOutputShapes(pooled);
        }
        fc.initialize(manager, dataType, pooled);
    }
}
