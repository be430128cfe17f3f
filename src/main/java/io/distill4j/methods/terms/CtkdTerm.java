package io.distill4j.methods.terms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.CurriculumTemperature;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Warmup;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.util.Scalars;

import java.util.List;

/**
 * Term {@code ctkd}: KD's {@code weight * T^2 KL} at a temperature learned adversarially with a curriculum
 * ({@link CurriculumTemperature}, docs/methods.md section 18): CTKD as a plug-in any composition can hold. Its part
 * is the network {@code temperature} (theta, in the run's SGD). Logged as {@code kd}, with the diagnostics
 * {@code temperature} and {@code temperature_lambda} every {@code train.log_every} steps.
 */
public final class CtkdTerm implements Term {
    /** Options of {@code ctkd}. */
    public record Options(
            @Option(doc = "weight b of the T^2-scaled KL at the learned T (the code's -a 0.9)", value = "0.9",
                    min = 0, max = 1e6) double weight,
            @Option(doc = "T = t_start + t_end * sigmoid(theta): the lowest temperature (--t_start 1)", value = "1",
                    min = 1e-3, max = 1e3) double tStart,
            @Option(doc = "the temperature's range above t_start (--t_end 20)", value = "20", min = 0, max = 1e3)
            double tEnd,
            @Option(doc = "theta's initial value (the code's torch.ones(1): T starts at 15.6)", value = "1",
                    min = -1e3, max = 1e3) double init,
            @Option(doc = "the reversal's full strength lambda (the code's decay_min -1 as a gradient factor)",
                    value = "1", min = 0, max = 1e3) double lambdaMax,
            @Option(doc = "epochs over which lambda rises from 0 by a half cosine (--decay_loops 10; 0: full from the "
                    + "start)", value = "10", min = 0, max = 1e6) int curriculumEpochs,
            @Option(doc = "epoch: the code's value at the 1-based epoch, constant within it; step: the same curve "
                    + "by step", value = "epoch") Warmup.By curriculumBy,
            @Option(doc = "z-score each sample's teacher and student logits over the classes before T (docs/methods.md "
                    + "section 13)", value = "false") boolean logitStandardization) {}

    private final Options options;
    private final Optimizers optimizers;
    private final int logEvery;
    private CurriculumTemperature temperature;
    private double lambda;

    /** @param logEvery the run's {@code train.log_every}: how often the temperature is logged */
    public CtkdTerm(Options options, Optimizers optimizers, int logEvery) {
        this.options = options;
        this.optimizers = optimizers;
        this.logEvery = logEvery;
    }

    /**
     * The run's checks: the network name {@code temperature} free, and no top-k store of teacher outputs (its fill
     * logit is exact at one temperature, and T moves).
     */
    public static void check(RunConfig cfg) {
        if (cfg.networks().stream().anyMatch(n -> n.name().equals(CurriculumTemperature.NAME))) {
            throw cfg.method().error("name", "the network name '" + CurriculumTemperature.NAME + "' is taken by "
                    + "CTKD's temperature");
        }
        if (cfg.train().teacherOutputsTopK() > 0) {
            throw cfg.root().child("train").error("teacher_outputs_top_k", cfg.train().teacherOutputsTopK()
                    + ": a top-k store is exact at one temperature and ctkd learns T; use 0 (every logit)");
        }
    }

    @Override
    public Reads reads() { return Reads.LOGITS; }

    @Override
    public void attach(NDManager manager, Net student, Teacher teacher) {
        temperature = new CurriculumTemperature(manager, optimizers, options.init(), options.tStart(),
                options.tEnd(), options.lambdaMax(), options.curriculumEpochs(), options.curriculumBy());
    }

    @Override
    public List<Net> ownNetworks() {
        return List.of(temperature.net());
    }

    @Override
    public void prepare(TermInputs in) {
        lambda = temperature.lambda(in.ctx());
        if (in.ctx().step() % logEvery == 0 || in.ctx().step() % in.ctx().stepsPerEpoch() == 0) {
            in.ctx().diagnostic("temperature", temperature.value());
            in.ctx().diagnostic("temperature_lambda", lambda);
        }
    }

    @Override
    public void add(TermInputs in, Losses out) {
        boolean standardize = options.logitStandardization();
        NDArray teacher = in.teacherLogits(standardize);
        NDArray t = temperature.temperature(lambda);
        out.add(in.student().name(), "kd", Scalars.mul(LogitLosses.klAtTemperature(teacher,
                in.studentLogits(standardize), t), (float) options.weight())).alsoStep(CurriculumTemperature.NAME);
    }
}
