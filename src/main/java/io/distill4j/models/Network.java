package io.distill4j.models;

import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;

import java.util.List;
import java.util.Map;

/**
 * A classifier network. Its forward pass returns {@code NDList(logits, features)}: logits (N, classes) at
 * index 0 and the pooled penultimate features (N, D) at index 1, so feature-level methods need no hooks.
 */
public abstract class Network extends AbstractBlock {
    /**
     * The factor by which one training-mode forward moves every BatchNorm's running statistics of the zoo's
     * networks toward the batch's: {@code running = (1 - f) * running + f * batch} (variance unbiased), as
     * PyTorch's default momentum 0.1.
     */
    public static final float BN_UPDATE = 0.1f;

    /** The epsilon of every BatchNorm of the zoo's networks, as PyTorch's default. */
    public static final float BN_EPSILON = 1e-5f;

    /**
     * A network's parts in forward order, for writers of other formats (the ONNX exporter): {@code maps} run one
     * after another on the (N, C, H, W) input; when {@code pooled}, their output is averaged over the whole map
     * to (N, C); then {@code preLogits} (null when absent) and the {@code classifier} ({@code Linear}) give the
     * logits. A {@link LinearHead} has no maps and is not pooled: its input is features.
     */
    public record Layout(List<Block> maps, boolean pooled, Block preLogits, Block classifier) {
        public Layout {
            maps = List.copyOf(maps);
        }
    }

    /** This network's {@link Layout}; networks that are no classifiers of images (a discriminator) have none. */
    public Layout layout() {
        throw new UnsupportedOperationException(arch + " has no layout to export");
    }

    private final String arch;
    private final int numClasses;
    private boolean channelsLast;

    protected Network(String arch, int numClasses) {
        this.arch = arch;
        this.numClasses = numClasses;
    }

    /**
     * Whether the forward pass lays its activations out channels-last ({@code train.channels_last}); off by
     * default, as for networks built outside a run (export, inference).
     */
    public boolean channelsLast() { return channelsLast; }

    public void setChannelsLast(boolean channelsLast) { this.channelsLast = channelsLast; }

    /** The architecture name this network was built from (e.g. {@code resnet20}). */
    public String arch() { return arch; }

    public int numClasses() { return numClasses; }

    /** Dimension of the features returned at index 1 of the forward output. */
    public abstract int featureDim();

    /**
     * The key of the forward parameter that asks for intermediate feature maps: its value is a list of stage
     * names ({@link #stageNames()}), and the forward output gains those maps, in the order asked, after the
     * logits and the pooled features.
     */
    public static final String STAGES = "stages";

    /**
     * The names of the feature maps this network can return, in forward order, each with the layer it is the
     * output of (e.g. {@code stage2 -> block5}); empty for networks without maps.
     */
    public Map<String, String> stageNames() { return Map.of(); }

    /** The residual blocks in forward order (empty for plain networks). */
    public List<ResidualUnit> residualUnits() { return List.of(); }

    /**
     * The network's whole state as bytes where its parameters do not hold all of it (a TorchScript module keeps its
     * running statistics where no parameter list reaches them), for checkpoints; null for distill4j's networks, whose
     * parameters are everything (BatchNorm's running statistics included).
     */
    public byte[] wholeState() { return null; }

    /**
     * Restores what {@link #wholeState} wrote; afterwards {@link #getParameters()} may return new parameters (the
     * optimizer must be rebound to them).
     */
    public void restoreWholeState(byte[] state) {
        throw new UnsupportedOperationException(arch + " keeps its whole state in its parameters");
    }

    /**
     * Whether its forward draws from libtorch's global generator (a TorchScript module's dropout), which training
     * then reseeds before each step so that a resumed run draws the same.
     */
    public boolean drawsFromLibtorch() { return false; }

    /** True when every residual branch runs at scale 1. */
    public boolean isWhole() {
        for (ResidualUnit u : residualUnits()) {
            if (!u.isActive() || u.scale() != 1f) {
                return false;
            }
        }
        return true;
    }
}
