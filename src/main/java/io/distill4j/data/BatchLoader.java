package io.distill4j.data;

import io.distill4j.UserError;
import io.distill4j.util.Seeds;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mini-batches of a dataset, each a pure function of (seed, epoch, batch index): the epoch's order comes from
 * a generator seeded by (seed, epoch), and each sample's augmentation from (seed, epoch, dataset index, view).
 * Any batch can thus be rebuilt without state, which is what makes resume exact, and the same whatever thread
 * builds it. A streamed dataset's batches are decoded ahead by a pool of {@code workers} threads, at most
 * {@code workers x prefetch} batches ahead of the one asked for ({@link #withWorkers}). A loader that mixes each
 * batch with a second one ({@link #withMixing(MixingPolicy, boolean)}) builds step i from the epoch's batches 2i
 * and 2i + 1, so it has half the steps.
 */
public final class BatchLoader implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ImageDataset ds;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Augmenter augmenter;
    private final Augmenter[] viewAugmenters;
    private SampledViews sampled;
    private final int views;
    private final long seed;
    private MixingPolicy mixing;
    private boolean secondBatch;
    private final TreeMap<Integer, int[]> orders = new TreeMap<>(); // the last two epochs' orders
    private int workers;
    private int prefetch;
    private ThreadPoolExecutor pool;
    private final TreeMap<Long, Future<HostBatch>> pending = new TreeMap<>();

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
        this.viewAugmenters = new Augmenter[views];
        Arrays.fill(viewAugmenters, augmenter);
        this.views = views;
        this.seed = seed;
    }

    /**
     * Draws each streamed training sample's first view among {@code views} (a store's K random-resized crops and
     * flips) instead of a fresh random-resized crop; the batch records which ({@link HostBatch#viewCodes}).
     */
    public BatchLoader withSampledViews(SampledViews views) {
        if (ds.files() == null) {
            throw new IllegalArgumentException("sampled views serve a streamed dataset");
        }
        if (this.views != 1) {
            throw new UserError("train.teacher_views_k: the method draws " + this.views + " views of each image "
                    + "(e.g. MLKD's strong view); a store of sampled crops serves methods of one view");
        }
        this.sampled = views;
        return this;
    }

    /** Augments the given views by {@code strong} instead (MLKD's strong views; a training loader's views only). */
    public BatchLoader withStrongViews(Augmenter strong, Set<Integer> strongViews) {
        for (int v : strongViews) {
            if (v <= 0 || v >= views) {
                throw new IllegalArgumentException("strong view " + v + " of " + views + " (view 0 stays weak)");
            }
            viewAugmenters[v] = strong;
        }
        return this;
    }

    /** Mixes batches by a policy, each with a permutation of itself (training loaders only; null: none). */
    public BatchLoader withMixing(MixingPolicy policy) {
        return withMixing(policy, false);
    }

    /**
     * Mixes batches by a policy (null: none); with {@code secondBatch} each step's batch with a second,
     * independently drawn one (the epoch's next batch), an unmixed step then holding both.
     */
    public BatchLoader withMixing(MixingPolicy policy, boolean secondBatch) {
        if (secondBatch && (policy == null || !dropLast)) {
            throw new IllegalArgumentException("mixing with a second batch needs a policy and whole batches");
        }
        this.mixing = policy;
        this.secondBatch = secondBatch;
        return this;
    }

    /** True when each step draws two batches and mixes them ({@code data.mix_partner: second_batch}). */
    public boolean mixesTwoBatches() {
        return secondBatch;
    }

    /** Decodes a streamed dataset's batches ahead on {@code workers} threads, {@code prefetch} batches each. */
    public BatchLoader withWorkers(int workers, int prefetch) {
        if (workers <= 0 || prefetch <= 0) {
            throw new IllegalArgumentException("workers and prefetch must be positive");
        }
        this.workers = workers;
        this.prefetch = prefetch;
        return this;
    }

    /** The steps of an epoch: its batches, or pairs of batches when mixing with a second batch. */
    public int batchesPerEpoch() {
        int batches = dropLast ? ds.size() / batchSize : (ds.size() + batchSize - 1) / batchSize;
        return secondBatch ? batches / 2 : batches;
    }

    public ImageDataset dataset() {
        return ds;
    }

    /**
     * The number of samples in batch {@code index} of any epoch (not known ahead when mixing with a second batch:
     * an unmixed step holds both).
     */
    public int batchSize(int index) {
        if (secondBatch) {
            throw new IllegalStateException("a step's size depends on its mixing draw when mixing two batches");
        }
        return Math.min(batchSize, ds.size() - index * batchSize);
    }

    /** The order of the samples in an epoch. */
    public int[] order(int epoch) {
        synchronized (orders) {
            int[] o = orders.get(epoch);
            if (o == null) {
                if (shuffle) {
                    o = Seeds.permutation(ds.size(), Seeds.rng(seed, "shuffle", epoch));
                } else {
                    o = new int[ds.size()];
                    for (int i = 0; i < o.length; i++) {
                        o[i] = i;
                    }
                }
                orders.put(epoch, o);
                while (orders.size() > 2) {
                    orders.remove(orders.firstKey());
                }
            }
            return o;
        }
    }

    public HostBatch batch(int epoch, int index) {
        if (index < 0 || index >= batchesPerEpoch()) {
            throw new IndexOutOfBoundsException("batch " + index + " of " + batchesPerEpoch());
        }
        return workers > 0 && ds.streamed() ? prefetched(epoch, index) : build(epoch, index);
    }

    /** The batch from the pool, and the next ones set going (in this epoch only for an unshuffled loader). */
    private synchronized HostBatch prefetched(int epoch, int index) {
        int n = batchesPerEpoch();
        long key = (long) epoch * n + index;
        pending.headMap(key).values().forEach(f -> f.cancel(false)); // passed over: no longer wanted
        pending.headMap(key).clear();
        Future<HostBatch> f = pending.remove(key);
        if (f == null) { // a jump (resume, a new evaluation): start afresh
            pending.values().forEach(p -> p.cancel(false));
            pending.clear();
            f = submit(key, n);
        }
        long last = key + (long) workers * prefetch;
        if (!shuffle) {
            last = Math.min(last, (long) (epoch + 1) * n - 1);
        }
        for (long k = key + 1; k <= last; k++) {
            if (!pending.containsKey(k)) {
                pending.put(k, submit(k, n));
            }
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("batch " + index + " of epoch " + epoch + " was cancelled", e);
        }
    }

    private Future<HostBatch> submit(long key, int n) {
        if (pool == null) {
            int id = POOLS.incrementAndGet();
            AtomicInteger threads = new AtomicInteger();
            pool = new ThreadPoolExecutor(workers, workers, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "distill4j-decode-" + id + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
        }
        return pool.submit(() -> build((int) (key / n), (int) (key % n)));
    }

    /** Step {@code index}'s batch of {@code epoch}, mixed by the policy, built on the calling thread. */
    HostBatch build(int epoch, int index) {
        if (mixing == null) {
            return drawn(epoch, index);
        }
        SplittableRandom rng = Seeds.rng(seed, mixing.purpose(), epoch, index);
        return secondBatch ? mixing.apply(drawn(epoch, 2 * index), drawn(epoch, 2 * index + 1), epoch, rng)
                : mixing.apply(drawn(epoch, index), epoch, rng);
    }

    /** Batch {@code index} of the epoch's order, augmented, unmixed. */
    private HostBatch drawn(int epoch, int index) {
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
        StreamedImages files = ds.files();
        int kept = 0;
        boolean training = augmenter.random();
        int[] codes = files == null && viewAugmenters[0].enumerable() || sampled != null ? new int[n] : null;
        for (int k = 0; k < n; k++) {
            int i = order[from + k];
            if (files == null) {
                for (int v = 0; v < views; v++) {
                    int code = viewAugmenters[v].apply(ds.pixels(), i * sample, c, h, w, out[v], k * sample,
                            Seeds.rng(seed, "augment", epoch, i, v));
                    if (v == 0 && codes != null) {
                        codes[k] = code;
                    }
                }
            } else if (views == 1 && sampled != null && training) { // one of the stored views
                SplittableRandom rng = Seeds.rng(seed, "augment", epoch, i, 0);
                int view = rng.nextInt(sampled.count());
                byte[] px = files.input(i, sampled.region(i, view), h, w);
                if (px == null) {
                    continue;
                }
                augmenter.render(px, 0, c, h, w, 0, 0, sampled.flip(i, view), out[0], kept * sample);
                codes[kept] = view;
            } else if (views == 1) { // decode only what the crop needs
                SplittableRandom rng = Seeds.rng(seed, "augment", epoch, i, 0);
                byte[] px = files.input(i, training, h, w, rng);
                if (px == null) { // unreadable, skipped
                    continue;
                }
                augmenter.apply(px, 0, c, h, w, out[0], kept * sample, rng);
            } else { // several views: decode once, crop each
                ImageDecoder.Rgb img = files.decode(i, training);
                if (img == null) {
                    continue;
                }
                for (int v = 0; v < views; v++) {
                    SplittableRandom rng = Seeds.rng(seed, "augment", epoch, i, v);
                    byte[] px = training ? files.recipe().train(img, h, w, rng) : files.recipe().eval(img, h, w);
                    viewAugmenters[v].apply(px, 0, c, h, w, out[v], kept * sample, rng);
                }
            }
            indices[kept] = i;
            labels[kept] = ds.label(i);
            kept++;
        }
        if (kept < n) {
            if (kept == 0) {
                throw new UserError(ds.name() + ": every image of batch " + index + " of epoch " + epoch
                        + " is unreadable (skipped): check the files of data.root");
            }
            for (int v = 0; v < views; v++) {
                out[v] = Arrays.copyOf(out[v], kept * sample);
            }
            labels = Arrays.copyOf(labels, kept);
            indices = Arrays.copyOf(indices, kept);
            codes = codes == null ? null : Arrays.copyOf(codes, kept);
        }
        return new HostBatch(out, labels, indices, c, h, w, null, codes);
    }

    /** The augmentation of the first view (what a store of the teachers' outputs over views enumerates). */
    public Augmenter augmenter() { return augmenter; }

    /** Stops the decoding threads (they also end by themselves when idle). */
    @Override
    public synchronized void close() {
        if (pool != null) {
            pending.values().forEach(f -> f.cancel(true));
            pending.clear();
            pool.shutdownNow();
            pool = null;
        }
    }
}
