package io.distill4j.analysis;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.distill4j.data.BatchLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.data.ImageDataset;
import io.distill4j.run.DataPipeline;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;
import io.distill4j.util.Seeds;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The width of the minimum a network was trained into, the DML article's way (its section on why mutual learning
 * generalises): independent Gaussian noise of standard deviation sigma added to every trainable weight, and the
 * training loss of the perturbed network measured, for growing sigma and several draws each. A network in a wider
 * minimum loses less. The loss is the cross-entropy on a fixed sample of the training split as trained on
 * (subset and label noise applied, no augmentation), in inference mode (BatchNorm running statistics, which are
 * not perturbed). Every draw is a pure function of (seed, sigma index, draw, parameter index), so two networks
 * of the same architecture get the same noise. The weights are restored exactly after each draw.
 *
 * @param network the network's name
 * @param sigmas  the noise levels
 * @param loss    [sigma][draw] cross-entropy of the perturbed network
 * @param top1    [sigma][draw] its training-sample accuracy
 */
public record Flatness(String network, double[] sigmas, double[][] loss, double[][] top1) {

    /** The sample of the training split the losses are measured on: the first {@code images} of a seeded order. */
    public static BatchLoader sample(Run run, int images, long seed) {
        ImageDataset train = run.train();
        int k = Math.min(images, train.size());
        int[] order = Seeds.permutation(train.size(), Seeds.rng(seed, "flatness-sample"));
        int[] pick = Arrays.copyOf(order, k);
        Arrays.sort(pick);
        return DataPipeline.evalLoader(run.config(), train.select(pick, train.name() + "-flatness" + k),
                run.normalization());
    }

    /** Measures {@code net}'s loss on {@code sample} under noise of each sigma, {@code draws} times each. */
    public static Flatness measure(Run run, Net net, BatchLoader sample, double[] sigmas, int draws, long seed) {
        List<Parameter> params = Net.trainableParameters(net.block());
        List<float[]> original = new ArrayList<>();
        for (Parameter p : params) {
            original.add(p.getArray().toFloatArray());
        }
        double[][] loss = new double[sigmas.length][draws];
        double[][] top1 = new double[sigmas.length][draws];
        try {
            for (int s = 0; s < sigmas.length; s++) {
                for (int d = 0; d < draws; d++) {
                    for (int i = 0; i < params.size(); i++) {
                        float[] w = original.get(i).clone();
                        if (sigmas[s] > 0) {
                            SplittableRandom rng = Seeds.rng(seed, "flatness-noise", s, d, i);
                            for (int j = 0; j < w.length; j++) {
                                w[j] += (float) (sigmas[s] * rng.nextGaussian());
                            }
                        }
                        params.get(i).getArray().set(FloatBuffer.wrap(w));
                    }
                    double[] acc = score(run, net, sample);
                    loss[s][d] = acc[1];
                    top1[s][d] = acc[0];
                    if (sigmas[s] == 0) { // no noise: every draw is the same network
                        for (int r = d + 1; r < draws; r++) {
                            loss[s][r] = acc[1];
                            top1[s][r] = acc[0];
                        }
                        break;
                    }
                }
            }
        } finally {
            for (int i = 0; i < params.size(); i++) {
                params.get(i).getArray().set(FloatBuffer.wrap(original.get(i)));
            }
        }
        return new Flatness(net.name(), sigmas.clone(), loss, top1);
    }

    /** {top-1, mean cross-entropy} of {@code net} alone on every batch of {@code loader} (exact log-softmax). */
    static double[] score(Run run, Net net, BatchLoader loader) {
        double hits = 0;
        double loss = 0;
        long count = 0;
        for (int b = 0; b < loader.batchesPerEpoch(); b++) {
            HostBatch hb = loader.batch(0, b);
            float[] logp;
            try (NDManager bm = run.manager().newSubManager()) {
                logp = net.logits(hb.view(bm, 0), false).logSoftmax(1).toFloatArray();
            }
            int[] labels = hb.labels();
            int classes = logp.length / labels.length;
            for (int i = 0; i < labels.length; i++) {
                int off = i * classes;
                float target = logp[off + labels[i]];
                boolean hit = Float.isFinite(target);
                for (int c = 0; c < classes && hit; c++) {
                    hit = c == labels[i] || logp[off + c] < target;
                }
                hits += hit ? 1 : 0;
                loss -= target;
            }
            count += labels.length;
        }
        return new double[] {hits / count, loss / count};
    }

    /** Mean over draws of the loss at each sigma. */
    public double[] meanLoss() {
        double[] m = new double[sigmas.length];
        for (int s = 0; s < sigmas.length; s++) {
            m[s] = Arrays.stream(loss[s]).average().orElse(Double.NaN);
        }
        return m;
    }
}
