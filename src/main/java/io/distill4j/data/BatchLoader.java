package io.distill4j.data;

import io.distill4j.util.Seeds;

/**
 * Mini-batches of a dataset, each a pure function of (seed, epoch, batch index): the epoch's order comes from
 * a generator seeded by (seed, epoch), and each sample's augmentation from (seed, epoch, dataset index, view).
 * Any batch can thus be rebuilt without state, which is what makes resume exact.
 */
public final class BatchLoader {
    private final ImageDataset ds;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Augmenter augmenter;
    private final int views;
    private final long seed;
    private MixingPolicy mixing;
    private int cachedEpoch = Integer.MIN_VALUE;
    private int[] cachedOrder;

    public BatchLoader(ImageDataset ds, int batchSize, boolean shuffle, boolean dropLast, Augmenter augmenter,
                       int views, long seed) {
        if (batchSize <= 0 || views <= 0) {
            throw new IllegalArgumentException("batch size and views must be positive");
        }
        this.ds = ds;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.augmenter = augmenter;
        this.views = views;
        this.seed = seed;
    }

    /** Mixes batches by a policy (training loaders only; null: none). */
    public BatchLoader withMixing(MixingPolicy policy) {
        this.mixing = policy;
        return this;
    }

    public int batchesPerEpoch() {
        return dropLast ? ds.size() / batchSize : (ds.size() + batchSize - 1) / batchSize;
    }

    public ImageDataset dataset() {
        return ds;
    }

    /** The number of samples in batch {@code index} of any epoch. */
    public int batchSize(int index) {
        return Math.min(batchSize, ds.size() - index * batchSize);
    }

    /** The order of the samples in an epoch. */
    public synchronized int[] order(int epoch) {
        if (epoch != cachedEpoch) {
            if (shuffle) {
                cachedOrder = Seeds.permutation(ds.size(), Seeds.rng(seed, "shuffle", epoch));
            } else {
                cachedOrder = new int[ds.size()];
                for (int i = 0; i < cachedOrder.length; i++) {
                    cachedOrder[i] = i;
                }
            }
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    public HostBatch batch(int epoch, int index) {
        if (index < 0 || index >= batchesPerEpoch()) {
            throw new IndexOutOfBoundsException("batch " + index + " of " + batchesPerEpoch());
        }
        int[] order = order(epoch);
        int from = index * batchSize;
        int n = Math.min(batchSize, ds.size() - from);
        int c = ds.channels();
        int h = ds.height();
        int w = ds.width();
        int sample = ds.sampleBytes();
        float[][] out = new float[views][n * sample];
        int[] labels = new int[n];
        int[] indices = new int[n];
        byte[] px = ds.pixels();
        for (int k = 0; k < n; k++) {
            int i = order[from + k];
            indices[k] = i;
            labels[k] = ds.label(i);
            for (int v = 0; v < views; v++) {
                augmenter.apply(px, i * sample, c, h, w, out[v], k * sample, Seeds.rng(seed, "augment", epoch, i, v));
            }
        }
        HostBatch b = new HostBatch(out, labels, indices, c, h, w);
        return mixing == null ? b : mixing.apply(b, epoch, Seeds.rng(seed, mixing.purpose(), epoch, index));
    }
}
