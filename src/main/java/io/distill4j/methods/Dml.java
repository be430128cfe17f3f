package io.distill4j.methods;

import ai.djl.ndarray.NDArray;
import io.distill4j.knowledge.DistillLoss;
import io.distill4j.training.Net;

import java.util.ArrayList;
import java.util.List;

/**
 * Method {@code dml}: Deep Mutual Learning (METHODS.md section 3, seed 000). K >= 2 peers, possibly of different
 * architectures, each trained with {@code CE(z_k, y) + (1/(K-1)) sum_{j != k} T^2 KL(p_j^T || p_k^T)}
 * ({@code teacher: peers}) or {@code CE + T^2 KL(mean_{j != k} p_j^T || p_k^T)} ({@code teacher: ensemble},
 * DML_e). Targets are detached.
 *
 * <p>{@code update: simultaneous}: all peers forward the same batch, all losses come from those predictions,
 * all peers step together. {@code update: sequential} (the article's single-device algorithm): peer 1 is
 * updated, its prediction is recomputed with its new weights (training mode, as the first one), then peer 2
 * learns from that, and so on. Semi-supervised runs ({@code data.labeled_fraction}) get CE only on the
 * labelled samples and the mutual terms on all.
 */
public final class Dml implements Method {
    private final boolean ensembleTeacher;
    private final boolean sequential;
    private final double temperature;

    /** The logits each peer learned from at the last step: {@code targetsSeen[k][j]} = peer j's, for tests. */
    float[][][] targetsSeen = new float[0][][];

    public Dml(MethodSetup setup) {
        if (setup.networks().size() < 2) {
            throw setup.options().error("name", "dml needs at least two networks (peers); the config has "
                    + setup.networks().size());
        }
        this.ensembleTeacher = setup.options().choice("teacher", "peers", List.of("peers", "ensemble"))
                .equals("ensemble");
        this.sequential = setup.options().choice("update", "simultaneous", List.of("simultaneous", "sequential"))
                .equals("sequential");
        this.temperature = setup.options().number("temperature", 1.0, 1e-3, 1e3);
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        List<Net> peers = ctx.trainable();
        NDArray x = batch.images();
        targetsSeen = new float[peers.size()][peers.size()][];
        if (!sequential) {
            return ctx.update(() -> {
                List<NDArray> logits = new ArrayList<>();
                for (Net p : peers) {
                    logits.add(p.logits(x, true));
                }
                Losses l = new Losses();
                for (int k = 0; k < peers.size(); k++) {
                    record(k, logits);
                    addPeerLosses(l, peers.get(k).name(), k, logits, batch);
                }
                return l;
            });
        }
        List<NDArray> logits = new ArrayList<>();
        for (Net p : peers) {
            logits.add(p.logits(x, true)); // outside the tape: targets only
        }
        Losses all = new Losses();
        for (int k = 0; k < peers.size(); k++) {
            int peer = k;
            Losses lk = ctx.update(() -> {
                List<NDArray> current = new ArrayList<>(logits);
                current.set(peer, peers.get(peer).logits(x, true));
                record(peer, current);
                Losses l = new Losses();
                addPeerLosses(l, peers.get(peer).name(), peer, current, batch);
                return l;
            });
            lk.of(peers.get(k).name()).forEach((term, v) -> all.add(peers.get(peer).name(), term, v));
            logits.set(k, peers.get(k).logits(x, true)); // the updated peer's new prediction
        }
        return all;
    }

    private void record(int k, List<NDArray> logits) {
        for (int j = 0; j < logits.size(); j++) {
            if (j != k) {
                targetsSeen[k][j] = logits.get(j).toFloatArray();
            }
        }
    }

    void addPeerLosses(Losses l, String name, int k, List<NDArray> logits, Batch batch) {
        NDArray zk = logits.get(k);
        l.add(name, "ce", batch.crossEntropy(zk));
        int others = logits.size() - 1;
        if (ensembleTeacher) {
            NDArray mean = null;
            for (int j = 0; j < logits.size(); j++) {
                if (j != k) {
                    NDArray pj = logits.get(j).stopGradient().mul((float) (1 / temperature)).softmax(1);
                    mean = mean == null ? pj : mean.add(pj);
                }
            }
            l.add(name, "kl", DistillLoss.klToProbs(mean.div(others), zk, temperature));
        } else {
            NDArray sum = null;
            for (int j = 0; j < logits.size(); j++) {
                if (j != k) {
                    NDArray kl = DistillLoss.kl(logits.get(j), zk, temperature);
                    sum = sum == null ? kl : sum.add(kl);
                }
            }
            l.add(name, "kl", sum.div(others));
        }
    }
}
