package io.distill4j.methods.mlkd;

import ai.djl.ndarray.NDArray;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.losses.DistillLoss;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.methods.Warmup;
import io.distill4j.runtime.Net;
import io.distill4j.util.Scalars;
import io.distill4j.util.Sums;

import java.util.Arrays;
import java.util.Set;

/**
 * Method {@code mlkd}: Jin et al.'s "Multi-Level Logit Distillation" (CVPR 2023; docs/methods.md section 17), from
 * one frozen teacher, on a weak view (the run's augmentation) and a strong view (the data pipeline's strong
 * augmentation, {@code data.strong_ops}) of each image, the student and the teacher forwarding each view:
 * <pre>
 *   a (CE_w + CE_s) + b sum_T [ f_s KL_T(w) + KL_T(s) + f_c CC_T(w) + f_s BC_T(w) ]
 * </pre>
 * over the temperatures T (the "prediction augmentation"; {T, 3, 5, 2, 6} with T 4 on CIFAR-100), KL_T KD's
 * {@code T^2}-scaled KL, CC_T and BC_T the class- and batch-correlation alignments ({@link LogitLosses}). The
 * confidence masks are the official code's: the samples whose teacher confidence (the weak view's top softmax
 * probability) is at most the batch's 50th percentile, and the classes whose summed teacher probability is at
 * most theirs; the code multiplies each mask into a loss already averaged, so a mask weighs its term by the
 * fraction it keeps ({@code f_s}, {@code f_c}, about 0.5) and selects nothing: this class does the same. The code's
 * strong-view KL reads the weak view's logits at T 2 and 6 (a slip); here every strong term is on the strong view.
 * Defaults: the code's CIFAR-100 configuration (a 0.1, b 0.9, T 4). An optional warm-up of b ({@link Warmup}; none
 * by default, as in the code) is this project's addition: the terms sum to about 7 KL terms' weight and, at a
 * learning rate of 0.1, diverge from the first steps as DKD does without its warm-up (RESULTS.md section 8).
 */
public final class Mlkd implements Method {
    /** Options of {@code mlkd}. */
    public record Options(
            @Option(doc = "weight a of the cross-entropy of each view (the code's CE_WEIGHT 0.1)", value = "0.1",
                    min = 0, max = 1e6) double ceWeight,
            @Option(doc = "weight b of every distillation term (the code's KD_WEIGHT 0.9)", value = "0.9", min = 0,
                    max = 1e6) double kdWeight,
            @Option(doc = "the temperatures, comma-separated: the config's T then the code's 3, 5, 2, 6 (ImageNet: "
                    + "1,3,5,2,6)", value = "4,3,5,2,6") String temperatures,
            @Option(doc = "the confidence masks keep samples and classes at or below this percentile of the "
                    + "teacher's confidence (the code's 50)", value = "50", min = 0, max = 100)
            double confidencePercentile,
            @Option(doc = "epochs over which the distillation terms' weight grows linearly to 1 (0: none, as the "
                    + "code; this project's addition, as dkd's)", value = "0", min = 0, max = 1e6) int warmup,
            @Option(doc = "epoch: min((e + 1) / warmup, 1), constant within an epoch; step: linear in the step from "
                    + "near 0", value = "epoch") Warmup.By warmupBy,
            @Option(doc = "z-score each sample's teacher and student logits over the classes before every T "
                    + "(docs/methods.md section 13; the masks read the raw teacher)", value = "false")
            boolean logitStandardization) {}

    private final Options options;
    private final double[] temperatures;

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "mlkd");
        if (cfg.train().teacherOutputs() != null) {
            throw cfg.root().child("train").error("teacher_outputs", cfg.train().teacherOutputs() + ": a store "
                    + "holds the teacher's outputs of one view and mlkd's strong view needs its forward; remove it");
        }
    }

    public Mlkd(Options options, MethodSetup setup) {
        this.options = options;
        this.temperatures = parseTemperatures(setup.run().method().child("mlkd"), options.temperatures());
    }

    static double[] parseTemperatures(ConfigNode section, String text) {
        try {
            double[] t = Arrays.stream(text.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
            if (t.length > 0 && Arrays.stream(t).allMatch(v -> v >= 1e-3 && v <= 1e3)) {
                return t;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw section.error("temperatures", "'" + text + "' is not a comma-separated list of temperatures in "
                + "[0.001, 1000] (e.g. 4,3,5,2,6)");
    }

    @Override
    public int views() { return 2; }

    @Override
    public Set<Integer> strongViews() { return Set.of(1); }

    @Override
    public double softTargetTemperature() { return temperatures[0]; }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray weak = batch.view(0);
        NDArray strong = batch.view(1);
        NDArray teacherWeak = ctx.teacherKnowledge().logits(0, weak);
        NDArray teacherStrong = ctx.teacherKnowledge().logits(0, strong);
        float[] fractions = maskFractions(teacherWeak.softmax(1).toFloatArray(), (int) teacherWeak.getShape().get(1),
                options.confidencePercentile());
        float fs = fractions[0];
        float fc = fractions[1];
        boolean standardize = options.logitStandardization();
        NDArray tw = standardize ? LogitLosses.standardize(teacherWeak) : teacherWeak;
        NDArray ts = standardize ? LogitLosses.standardize(teacherStrong) : teacherStrong;
        // without a warm-up the weight is b itself (no factor 1.0 multiplied in)
        float b = options.warmup() == 0 ? (float) options.kdWeight()
                : (float) Warmup.weight(options.warmup(), options.warmupBy(), ctx) * (float) options.kdWeight();
        return ctx.update(() -> {
            NDArray zw = student.logits(weak, true);
            NDArray zs = student.logits(strong, true);
            NDArray sw = standardize ? LogitLosses.standardize(zw) : zw;
            NDArray ss = standardize ? LogitLosses.standardize(zs) : zs;
            NDArray kdWeak = null;
            NDArray kdStrong = null;
            NDArray cc = null;
            NDArray bc = null;
            for (double t : temperatures) {
                kdWeak = Sums.plus(kdWeak, DistillLoss.kl(tw, sw, t));
                kdStrong = Sums.plus(kdStrong, DistillLoss.kl(ts, ss, t));
                cc = Sums.plus(cc, LogitLosses.classCorrelation(tw, sw, t));
                bc = Sums.plus(bc, LogitLosses.batchCorrelation(tw, sw, t));
            }
            NDArray ce = batch.crossEntropy(zw).add(batch.crossEntropy(zs));
            return new Losses()
                    .add(student.name(), "ce", Scalars.mul(ce, (float) options.ceWeight()))
                    .add(student.name(), "kd_weak", Scalars.mul(kdWeak, b * fs))
                    .add(student.name(), "kd_strong", Scalars.mul(kdStrong, b))
                    .add(student.name(), "cc", Scalars.mul(cc, b * fc))
                    .add(student.name(), "bc", Scalars.mul(bc, b * fs));
        });
    }

    /**
     * The fractions the confidence masks keep, {@code {f_s, f_c}}, the share of the samples whose top probability
     * is at most the {@code percentile}-th percentile of the batch's (numpy's linear interpolation), and the share of
     * the classes whose summed probability is at most the percentile of the classes' sums.
     */
    static float[] maskFractions(float[] probabilities, int classes, double percentile) {
        int n = probabilities.length / classes;
        double[] confidence = new double[n];
        double[] classSums = new double[classes];
        for (int i = 0; i < n; i++) {
            double top = 0;
            for (int c = 0; c < classes; c++) {
                float p = probabilities[i * classes + c];
                top = Math.max(top, p);
                classSums[c] += p;
            }
            confidence[i] = top;
        }
        return new float[] {keptFraction(confidence, percentile), keptFraction(classSums, percentile)};
    }

    /** The share of {@code values} at most their {@code percentile}-th percentile (linear interpolation). */
    static float keptFraction(double[] values, double percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = percentile / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double threshold = sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
        int kept = 0;
        for (double v : values) {
            if (v <= threshold) {
                kept++;
            }
        }
        return (float) kept / values.length;
    }
}
