package io.distill4j.methods.dml;

import ai.djl.ndarray.NDArray;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.losses.DistillLoss;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.ArrayList;
import java.util.List;

/**
 * Method {@code dml}: Deep Mutual Learning (docs/methods.md section 3, seed 000). K >= 2 peers, possibly of different
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
    /** Options of {@code dml}. */
    public record Options(
            @Option(doc = "peers: one KL per other peer (DML); ensemble: one KL to the others' mean (DML_e)",
                    value = "peers") Teacher teacher,
            @Option(doc = "simultaneous: all peers step on the same predictions; sequential: one after another",
                    value = "simultaneous") Update update,
            @Option(doc = "softmax temperature of the mutual KL terms (times T^2)", value = "1", min = 1e-3,
                    max = 1e3) double temperature) {}

    /** What a peer learns from: each other peer (DML) or the others' mean (DML_e). */
    public enum Teacher { PEERS, ENSEMBLE }

    /** Whether the peers step on the same predictions or one after another. */
    public enum Update { SIMULTANEOUS, SEQUENTIAL }

    private final boolean ensembleTeacher;
    private final boolean sequential;
    private final double temperature;

    public static void check(RunConfig cfg) {
        ConfigChecks.networks(cfg, "dml", 2, Integer.MAX_VALUE, "needs at least two networks (peers)");
    }

    public Dml(Options options, MethodSetup setup) {
        this.ensembleTeacher = options.teacher() == Teacher.ENSEMBLE;
        this.sequential = options.update() == Update.SEQUENTIAL;
        this.temperature = options.temperature();
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        List<Net> peers = ctx.trainable();
        NDArray x = batch.images();
        if (!sequential) {
            Losses l = ctx.update(() -> {
                List<NDArray> logits = new ArrayList<>();
                for (Net p : peers) {
                    logits.add(p.logits(x, true));
                }
                Losses out = new Losses();
                for (int k = 0; k < peers.size(); k++) {
                    addPeerLosses(out, peers.get(k).name(), k, logits, batch);
                    out.keep("logits/" + k, logits.get(k));
                }
                return out;
            });
            return l;
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
                Losses l = new Losses();
                addPeerLosses(l, peers.get(peer).name(), peer, current, batch);
                for (int j = 0; j < current.size(); j++) {
                    l.keep("logits/" + j, current.get(j));
                }
                return l;
            });
            for (int j = 0; j < peers.size(); j++) { // what this peer learned from: kept as seen/<k>/<j>
                if (j != peer) {
                    all.keep("seen/" + peer + "/" + j, lk.output("logits/" + j));
                }
            }
            lk.of(peers.get(k).name()).forEach((term, v) -> all.add(peers.get(peer).name(), term, v));
            logits.set(k, peers.get(k).logits(x, true)); // the updated peer's new prediction
        }
        return all;
    }

    void addPeerLosses(Losses l, String name, int k, List<NDArray> logits, Batch batch) {
        NDArray zk = logits.get(k);
        l.add(name, "ce", batch.crossEntropy(zk));
        int others = logits.size() - 1;
        if (ensembleTeacher) {
            l.add(name, "kl", DistillLoss.klToProbs(Peers.meanOfOthers(logits, k, temperature), zk, temperature));
        } else {
            NDArray sum = null;
            for (int j = 0; j < logits.size(); j++) {
                if (j != k) {
                    NDArray kl = DistillLoss.kl(logits.get(j), zk, temperature);
                    sum = Sums.plus(sum, kl);
                }
            }
            l.add(name, "kl", Scalars.div(sum, others));
        }
    }
}
