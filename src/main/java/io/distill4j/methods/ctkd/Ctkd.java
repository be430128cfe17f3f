package io.distill4j.methods.ctkd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.losses.LogitLosses;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.CurriculumTemperature;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.methods.Warmup;
import io.distill4j.runtime.Net;
import io.distill4j.runtime.Optimizers;
import io.distill4j.util.Scalars;

import java.util.List;

/**
 * Method {@code ctkd}: Li et al.'s "Curriculum Temperature for Knowledge Distillation" (AAAI 2023; docs/methods.md
 * section 18) on Hinton's KD, the article's headline configuration: {@code a * CE + b * T^2 * KL(p_t^T || p_s^T)}
 * with T learned by {@link CurriculumTemperature} (reversed gradient, cosine curriculum of its strength). Defaults
 * from the official code's CIFAR-100 script ({@code -r 0.1 -a 0.9}, {@code --t_start 1 --t_end 20},
 * {@code --decay_max 0 --decay_min -1 --decay_loops 10}, theta initialised to 1, so T starts at 15.6). The
 * temperature is logged as the diagnostic {@code temperature} every {@code train.log_every} steps. With
 * {@code logit_standardization} both sides' logits are z-scored first (docs/methods.md section 13).
 */
public final class Ctkd implements Method {
    /** Options of {@code ctkd}. */
    public record Options(
            @Option(doc = "weight a of the cross-entropy on the hard labels (the code's -r 0.1)", value = "0.1",
                    min = 0, max = 1e6) double ceWeight,
            @Option(doc = "weight b of the T^2-scaled KL at the learned T (the code's -a 0.9)", value = "0.9",
                    min = 0, max = 1e6) double kdWeight,
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

    public static void check(RunConfig cfg) {
        ConfigChecks.oneStudentOneTeacher(cfg, "ctkd");
        if (cfg.networks().stream().anyMatch(n -> n.name().equals(CurriculumTemperature.NAME))) {
            throw ConfigChecks.error(cfg, "the network name '" + CurriculumTemperature.NAME + "' is taken by ctkd");
        }
        if (cfg.train().teacherOutputsTopK() > 0) { // its fill logit is exact at one temperature, and T moves
            throw cfg.root().child("train").error("teacher_outputs_top_k", cfg.train().teacherOutputsTopK()
                    + ": a top-k store is exact at one temperature and ctkd learns T; use 0 (every logit)");
        }
    }

    public Ctkd(Options options, MethodSetup setup) {
        this.options = options;
        this.optimizers = setup.optimizers();
        this.logEvery = setup.run().train().logEvery();
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        temperature = new CurriculumTemperature(manager, optimizers, options.init(), options.tStart(),
                options.tEnd(), options.lambdaMax(), options.curriculumEpochs(), options.curriculumBy());
    }

    @Override
    public List<Net> ownNetworks() {
        return List.of(temperature.net());
    }

    @Override
    public Losses step(Batch batch, StepContext ctx) {
        Net student = ctx.trainable().get(0);
        NDArray x = batch.images();
        NDArray stored = ctx.teacherKnowledge().logits(0, x);
        boolean standardize = options.logitStandardization();
        NDArray teacher = standardize ? LogitLosses.standardize(stored) : stored;
        double lambda = temperature.lambda(ctx);
        if (ctx.step() % logEvery == 0 || ctx.step() % ctx.stepsPerEpoch() == 0) {
            ctx.diagnostic("temperature", temperature.value());
            ctx.diagnostic("temperature_lambda", lambda);
        }
        return ctx.update(() -> {
            NDArray z = student.logits(x, true);
            NDArray t = temperature.temperature(lambda);
            return new Losses()
                    .add(student.name(), "ce", Scalars.mul(batch.crossEntropy(z), (float) options.ceWeight()))
                    .add(student.name(), "kd", Scalars.mul(LogitLosses.klAtTemperature(teacher,
                            standardize ? LogitLosses.standardize(z) : z, t), (float) options.kdWeight()))
                    .alsoStep(CurriculumTemperature.NAME);
        });
    }
}
