package io.distill4j.losses;

import static io.distill4j.losses.RunningError.column;
import static io.distill4j.losses.RunningError.constant;
import static io.distill4j.losses.RunningError.mean;
import static io.distill4j.losses.RunningError.of;
import static io.distill4j.losses.RunningError.row;
import static io.distill4j.losses.RunningError.rows;
import static io.distill4j.losses.RunningError.scale;
import static io.distill4j.losses.RunningError.sum;

/**
 * The losses of {@link LogitLosses} and their gradients in the student's logits, operation by operation as the
 * float32 code computes them (the forward as written there, the backward as autograd applies the chain rule to
 * each operation), in {@link RunningError}: exact values and error bounds for {@code LogitLossesTest}. Rows of
 * k logits; {@code temperature} such that 1 / T and T^2 are the float constants the code uses.
 */
final class LogitModels {
    private LogitModels() {}

    /** (z - mean) / (sqrt(sum (z - mean)^2 / (k - 1)) + 1e-7), one row. */
    static RunningError[] standardize(RunningError[] z) {
        int k = z.length;
        RunningError m = mean(z);
        RunningError[] d = new RunningError[k];
        RunningError[] sq = new RunningError[k];
        for (int j = 0; j < k; j++) {
            d[j] = z[j].minus(m);
            sq[j] = d[j].times(d[j]);
        }
        RunningError sd = sum(sq).div(of(k - 1)).sqrt().plus(of(LogitLosses.STANDARDIZE_EPS));
        RunningError[] s = new RunningError[k];
        for (int j = 0; j < k; j++) {
            s[j] = d[j].div(sd);
        }
        return s;
    }

    static RunningError[] standardizeRows(RunningError[] z, int k) {
        RunningError[] r = new RunningError[z.length];
        for (int i = 0; i < z.length / k; i++) {
            System.arraycopy(standardize(row(z, i, k)), 0, r, i * k, k);
        }
        return r;
    }

    /**
     * {@code T^2 mean_i sum_j Q (log Q - log p)}: the student's log p a log-softmax; the target's log Q a
     * log-softmax and Q its exp ({@code DistillLoss.kl}, {@code fromSoftmax} false) or Q a softmax and log Q its log
     * (PyTorch's {@code kl_div} of a {@code softmax}, true).
     */
    static RunningError kl(RunningError[] t, RunningError[] s, int k, double temperature, boolean fromSoftmax) {
        RunningError invT = constant(1 / temperature);
        RunningError[] logp = rows(scale(s, invT), k, true);
        RunningError[] q;
        RunningError[] logq;
        if (fromSoftmax) {
            q = rows(scale(t, invT), k, false);
            logq = new RunningError[q.length];
            for (int i = 0; i < q.length; i++) {
                logq[i] = q[i].log();
            }
        } else {
            logq = rows(scale(t, invT), k, true);
            q = new RunningError[logq.length];
            for (int i = 0; i < q.length; i++) {
                q[i] = logq[i].exp();
            }
        }
        RunningError[] perSample = new RunningError[s.length / k];
        for (int i = 0; i < perSample.length; i++) {
            RunningError[] terms = new RunningError[k];
            for (int j = 0; j < k; j++) {
                terms[j] = q[i * k + j].times(logq[i * k + j].minus(logp[i * k + j]));
            }
            perSample[i] = sum(terms);
        }
        return mean(perSample).times(constant(temperature * temperature));
    }

    /** Backward of a log-softmax: g - exp(out) sum g, one row. */
    static RunningError[] logSoftmaxBackward(RunningError[] g, RunningError[] out) {
        RunningError total = sum(g);
        RunningError[] r = new RunningError[g.length];
        for (int j = 0; j < g.length; j++) {
            r[j] = g[j].minus(out[j].exp().times(total));
        }
        return r;
    }

    /** Backward of a softmax: out (g - sum g out), one row. */
    static RunningError[] softmaxBackward(RunningError[] g, RunningError[] out) {
        RunningError[] go = new RunningError[g.length];
        for (int j = 0; j < g.length; j++) {
            go[j] = g[j].times(out[j]);
        }
        RunningError total = sum(go);
        RunningError[] r = new RunningError[g.length];
        for (int j = 0; j < g.length; j++) {
            r[j] = out[j].times(g[j].minus(total));
        }
        return r;
    }

    /** Backward of {@link #standardize} for one row z with upstream gradient g. */
    static RunningError[] standardizeBackward(RunningError[] z, RunningError[] g) {
        int k = z.length;
        RunningError m = mean(z);
        RunningError[] d = new RunningError[k];
        RunningError[] sq = new RunningError[k];
        for (int j = 0; j < k; j++) {
            d[j] = z[j].minus(m);
            sq[j] = d[j].times(d[j]);
        }
        RunningError sqrt = sum(sq).div(of(k - 1)).sqrt();
        RunningError sd = sqrt.plus(of(LogitLosses.STANDARDIZE_EPS));
        // s = d / sd: d gets g / sd, sd gets -sum g d / sd^2
        RunningError[] gd = new RunningError[k];
        RunningError[] gsdTerms = new RunningError[k];
        for (int j = 0; j < k; j++) {
            gd[j] = g[j].div(sd);
            gsdTerms[j] = g[j].times(d[j]).div(sd.times(sd)).neg();
        }
        RunningError gsd = sum(gsdTerms);
        // sd = sqrt(S / (k - 1)) + eps, S = sum d^2: d_j gets gsd / (2 sqrt) / (k - 1) * 2 d_j
        RunningError gs = gsd.div(of(2).times(sqrt)).div(of(k - 1));
        RunningError[] gdd = new RunningError[k];
        for (int j = 0; j < k; j++) {
            gdd[j] = gd[j].plus(gs.times(of(2).times(d[j])));
        }
        // d = z - mean(z)
        RunningError gm = sum(gdd).neg().div(of(k));
        RunningError[] gz = new RunningError[k];
        for (int j = 0; j < k; j++) {
            gz[j] = gdd[j].plus(gm);
        }
        return gz;
    }

    /**
     * The gradient of {@code kl(standardize(t), standardize(s))} in s: {@code -T^2 / n Q} into the student's
     * log-softmax (Q the exp of
     * a log-softmax, or a softmax: PyTorch's {@code kl_div} target), its backward, 1 / T, the standardisation's backward.
     */
    static RunningError[] standardizedKlGradient(float[] t, float[] s, int k, double temperature,
                                                 boolean fromSoftmax) {
        RunningError invT = constant(1 / temperature);
        RunningError[] ts = standardizeRows(of(t), k);
        RunningError[] ss = standardizeRows(of(s), k);
        RunningError[] logq = rows(scale(ts, invT), k, true);
        RunningError[] logp = rows(scale(ss, invT), k, true);
        int n = s.length / k;
        RunningError g0 = constant(temperature * temperature).div(of(n));
        RunningError[] out = new RunningError[s.length];
        for (int i = 0; i < n; i++) {
            RunningError[] g = new RunningError[k];
            for (int j = 0; j < k; j++) {
                RunningError q = fromSoftmax ? RunningError.softmax(row(scale(ts, invT), i, k))[j] : logq[i * k + j].exp();
                g[j] = g0.times(q).neg();
            }
            RunningError[] ga = scale(logSoftmaxBackward(g, row(logp, i, k)), invT);
            System.arraycopy(standardizeBackward(row(of(s), i, k), ga), 0, out, i * k, k);
        }
        return out;
    }

    /** Pearson's correlation of two vectors as {@code LogitLosses.pearsonRows} computes it. */
    static RunningError pearson(RunningError[] a, RunningError[] b) {
        RunningError[] ca = centred(a);
        RunningError[] cb = centred(b);
        RunningError[] prod = new RunningError[a.length];
        for (int j = 0; j < a.length; j++) {
            prod[j] = ca[j].times(cb[j]);
        }
        RunningError den = norm(ca).times(norm(cb)).plus(of(LogitLosses.PEARSON_EPS));
        return sum(prod).div(den);
    }

    static RunningError[] centred(RunningError[] a) {
        RunningError m = mean(a);
        RunningError[] r = new RunningError[a.length];
        for (int j = 0; j < a.length; j++) {
            r[j] = a[j].minus(m);
        }
        return r;
    }

    static RunningError norm(RunningError[] a) {
        RunningError[] sq = new RunningError[a.length];
        for (int j = 0; j < a.length; j++) {
            sq[j] = a[j].times(a[j]);
        }
        return sum(sq).sqrt();
    }

    /** DIST's (inter, intra), each times T^2. */
    static RunningError[] dist(float[] t, float[] s, int k, double temperature) {
        RunningError invT = constant(1 / temperature);
        RunningError[] ps = rows(scale(of(s), invT), k, false);
        RunningError[] pt = rows(scale(of(t), invT), k, false);
        int n = s.length / k;
        RunningError[] rRows = new RunningError[n];
        for (int i = 0; i < n; i++) {
            rRows[i] = pearson(row(ps, i, k), row(pt, i, k));
        }
        RunningError[] rCols = new RunningError[k];
        for (int c = 0; c < k; c++) {
            rCols[c] = pearson(column(ps, c, k), column(pt, c, k));
        }
        RunningError t2 = constant(temperature * temperature);
        return new RunningError[] {of(1).minus(mean(rRows)).times(t2), of(1).minus(mean(rCols)).times(t2)};
    }

    /**
     * Backward of one Pearson correlation r(a, b) in a, scaled by {@code gr}: r = num / den, num = sum ca cb,
     * den = |ca| |cb| + eps; ca_j gets gr cb_j / den - gr num / den^2 |cb| ca_j / |ca|; the centring subtracts
     * the mean of those.
     */
    static RunningError[] pearsonBackward(RunningError[] a, RunningError[] b, RunningError gr) {
        RunningError[] ca = centred(a);
        RunningError[] cb = centred(b);
        RunningError[] prod = new RunningError[a.length];
        for (int j = 0; j < a.length; j++) {
            prod[j] = ca[j].times(cb[j]);
        }
        RunningError na = norm(ca);
        RunningError nb = norm(cb);
        RunningError den = na.times(nb).plus(of(LogitLosses.PEARSON_EPS));
        RunningError gnum = gr.div(den);
        RunningError gna = gr.times(sum(prod)).div(den.times(den)).neg().times(nb);
        RunningError[] gca = new RunningError[a.length];
        for (int j = 0; j < a.length; j++) {
            gca[j] = gnum.times(cb[j]).plus(gna.times(ca[j]).div(na));
        }
        RunningError gm = sum(gca).div(of(a.length));
        RunningError[] g = new RunningError[a.length];
        for (int j = 0; j < a.length; j++) {
            g[j] = gca[j].minus(gm);
        }
        return g;
    }

    /** The gradient of {@code beta inter + gamma intra} in the student's logits. */
    static RunningError[] distGradient(float[] t, float[] s, int k, double temperature, double beta, double gamma) {
        RunningError invT = constant(1 / temperature);
        RunningError[] ps = rows(scale(of(s), invT), k, false);
        RunningError[] pt = rows(scale(of(t), invT), k, false);
        int n = s.length / k;
        RunningError t2 = constant(temperature * temperature);
        RunningError gRow = t2.times(constant(beta)).div(of(n)).neg();
        RunningError gCol = t2.times(constant(gamma)).div(of(k)).neg();
        RunningError[] gp = new RunningError[s.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pearsonBackward(row(ps, i, k), row(pt, i, k), gRow), 0, gp, i * k, k);
        }
        for (int c = 0; c < k; c++) {
            RunningError[] gc = pearsonBackward(column(ps, c, k), column(pt, c, k), gCol);
            for (int i = 0; i < n; i++) {
                gp[i * k + c] = gp[i * k + c].plus(gc[i]);
            }
        }
        RunningError[] out = new RunningError[s.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(scale(softmaxBackward(row(gp, i, k), row(ps, i, k)), invT), 0, out, i * k, k);
        }
        return out;
    }

    /** NKD's (target, nonTarget) as {@code LogitLosses.nkd} computes them (the target's logit pushed out by 1000). */
    static RunningError[] nkd(float[] t, float[] s, int[] labels, int k, double temperature) {
        int n = labels.length;
        RunningError invT = constant(1 / temperature);
        RunningError[] pt1 = rows(of(t), k, false);
        RunningError[] ls = rows(of(s), k, true);
        RunningError[] logps = rows(masked(scale(of(s), invT), labels, k), k, true);
        RunningError[] pt = rows(masked(scale(of(t), invT), labels, k), k, false);
        RunningError[] target = new RunningError[n];
        RunningError[] non = new RunningError[n];
        for (int i = 0; i < n; i++) {
            RunningError[] ty = new RunningError[k];
            RunningError[] lsy = new RunningError[k];
            RunningError[] terms = new RunningError[k];
            for (int j = 0; j < k; j++) {
                RunningError hot = of(j == labels[i] ? 1 : 0);
                ty[j] = pt1[i * k + j].times(hot);
                lsy[j] = ls[i * k + j].times(hot);
                terms[j] = pt[i * k + j].times(logps[i * k + j]);
            }
            target[i] = sum(ty).times(sum(lsy));
            non[i] = sum(terms);
        }
        return new RunningError[] {mean(target).neg(), mean(non).neg().times(constant(temperature * temperature))};
    }

    private static RunningError[] masked(RunningError[] x, int[] labels, int k) {
        RunningError[] r = x.clone();
        for (int i = 0; i < labels.length; i++) {
            r[i * k + labels[i]] = r[i * k + labels[i]].minus(of(1000));
        }
        return r;
    }

    /** The gradient of {@code target + gamma nonTarget} in the student's logits. */
    static RunningError[] nkdGradient(float[] t, float[] s, int[] labels, int k, double temperature, double gamma) {
        int n = labels.length;
        RunningError invT = constant(1 / temperature);
        RunningError[] pt1 = rows(of(t), k, false);
        RunningError[] ls = rows(of(s), k, true);
        RunningError[] logps = rows(masked(scale(of(s), invT), labels, k), k, true);
        RunningError[] pt = rows(masked(scale(of(t), invT), labels, k), k, false);
        RunningError gTarget = of(-1).div(of(n));
        RunningError gNon = constant(gamma).times(constant(temperature * temperature)).div(of(n)).neg();
        RunningError[] out = new RunningError[s.length];
        for (int i = 0; i < n; i++) {
            RunningError[] g1 = new RunningError[k];
            RunningError[] g2 = new RunningError[k];
            for (int j = 0; j < k; j++) {
                g1[j] = j == labels[i] ? gTarget.times(pt1[i * k + j]) : of(0);
                g2[j] = gNon.times(pt[i * k + j]);
            }
            RunningError[] a = logSoftmaxBackward(g1, row(ls, i, k));
            RunningError[] b = scale(logSoftmaxBackward(g2, row(logps, i, k)), invT);
            for (int j = 0; j < k; j++) {
                out[i * k + j] = a[j].plus(b[j]);
            }
        }
        return out;
    }

    /**
     * WTTM's teacher side per row: {@code U} and {@code q}, as distill4j computes them ({@code reference} false:
     * U = sum exp(log_softmax(t) / T), q = softmax(t / T)) or as the official code does (true: p^l = exp(l log p) of
     * p = softmax(t), U = sum p^l, q = p^l / U; a power kernel rounds as an exp of a log).
     */
    static RunningError[][] wttmTeacher(RunningError[] t, double temperature, boolean reference) {
        int k = t.length;
        RunningError l = constant(1 / temperature);
        RunningError[] pl = new RunningError[k];
        RunningError[] q;
        if (reference) {
            RunningError[] p = RunningError.softmax(t);
            for (int j = 0; j < k; j++) {
                pl[j] = p[j].log().times(l).exp();
            }
            RunningError u = sum(pl);
            q = new RunningError[k];
            for (int j = 0; j < k; j++) {
                q[j] = pl[j].div(u);
            }
            return new RunningError[][] {{u}, q};
        }
        RunningError[] logp = RunningError.logSoftmax(t);
        for (int j = 0; j < k; j++) {
            pl[j] = logp[j].times(l).exp();
        }
        return new RunningError[][] {{sum(pl)}, RunningError.softmax(scale(t, l))};
    }

    /** WTTM's loss: mean_i U_i sum_j q_j (log q_j - log_softmax(s)_j). */
    static RunningError wttm(float[] t, float[] s, int k, double temperature, boolean reference) {
        int n = s.length / k;
        RunningError[] ls = rows(of(s), k, true);
        RunningError[] perSample = new RunningError[n];
        for (int i = 0; i < n; i++) {
            RunningError[][] uq = wttmTeacher(row(of(t), i, k), temperature, reference);
            RunningError[] terms = new RunningError[k];
            for (int j = 0; j < k; j++) {
                terms[j] = uq[1][j].times(uq[1][j].log().minus(ls[i * k + j]));
            }
            perSample[i] = uq[0][0].times(sum(terms));
        }
        return mean(perSample);
    }

    /** The gradient of WTTM's loss in the student's logits: {@code -U q / n} into the log-softmax's backward. */
    static RunningError[] wttmGradient(float[] t, float[] s, int k, double temperature, boolean reference) {
        int n = s.length / k;
        RunningError[] ls = rows(of(s), k, true);
        RunningError[] out = new RunningError[s.length];
        for (int i = 0; i < n; i++) {
            RunningError[][] uq = wttmTeacher(row(of(t), i, k), temperature, reference);
            RunningError gu = uq[0][0].div(of(n)).neg();
            RunningError[] g = new RunningError[k];
            for (int j = 0; j < k; j++) {
                g[j] = gu.times(uq[1][j]);
            }
            System.arraycopy(logSoftmaxBackward(g, row(ls, i, k)), 0, out, i * k, k);
        }
        return out;
    }
}
