package io.distill4j.methods.fitnet;

import ai.djl.ndarray.NDManager;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.Option;
import io.distill4j.config.RunConfig;
import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.Batch;
import io.distill4j.methods.ConfigChecks;
import io.distill4j.methods.Losses;
import io.distill4j.methods.Method;
import io.distill4j.methods.MethodSetup;
import io.distill4j.methods.StepContext;
import io.distill4j.methods.Warmup;
import io.distill4j.methods.terms.CeTerm;
import io.distill4j.methods.terms.Composition;
import io.distill4j.methods.terms.FeatureStages;
import io.distill4j.methods.terms.HintTerm;
import io.distill4j.methods.terms.KdTerm;
import io.distill4j.methods.terms.TermSite;
import io.distill4j.runtime.Net;

import java.util.List;

/**
 * Method {@code fitnet}: Romero et al.'s FitNets (ICLR 2015; docs/methods.md section 10) from one frozen
 * distill4j teacher. The student's guided stage imitates the teacher's hint stage: the hint loss is the mean squared
 * difference of the two maps, through a trainable regressor (1x1 convolution, BatchNorm, ReLU) where their channel
 * counts differ; their resolutions must be equal.
 * <ul>
 * <li>single stage ({@code two_stage: false}, mdistiller's form, the default):
 * {@code ce_weight * CE + hint_weight * hint} throughout;</li>
 * <li>two stages (the article's): for the first {@code hint_epochs} epochs the hint loss alone, then Hinton's KD
 * {@code kd_ce_weight * CE + kd_weight * T^2 KL} and no hint. In the first stage the layers after the guided stage
 * get zero gradients; weight decay still moves them.</li>
 * </ul>
 */
public final class FitNet implements Method {
    static final String REGRESSOR = "regressor";

    /** Options of {@code fitnet}. */
    public record Options(
            @Option(doc = "the teacher's stage that gives the hint (distill4j methods --stages)", value = "stage2")
            String hintStage,
            @Option(doc = "the student's stage that is guided by it", value = "stage2") String guidedStage,
            @Option(doc = "a trainable 1x1 convolution + BN + ReLU where the channel counts differ (false: they "
                    + "must be equal)", value = "true") boolean regressor,
            @Option(doc = "weight of the cross-entropy on the hard labels (single stage)", value = "1", min = 0,
                    max = 1e6) double ceWeight,
            @Option(doc = "weight of the hint loss (single stage and the hint stage)", value = "100", min = 0,
                    max = 1e9) double hintWeight,
            @Option(doc = "the article's schedule: the hint alone for hint_epochs epochs, then KD", value = "false")
            boolean twoStage,
            @Option(doc = "epochs of the hint stage with two_stage", value = "30", min = 1, max = 1e6)
            int hintEpochs,
            @Option(doc = "KD's temperature in the second stage", value = "4", min = 1e-3, max = 1e3)
            double temperature,
            @Option(doc = "weight of the cross-entropy in the second stage", value = "0.1", min = 0, max = 1e6)
            double kdCeWeight,
            @Option(doc = "weight of the T^2-scaled KL in the second stage", value = "0.9", min = 0, max = 1e6)
            double kdWeight) {}

    private final Options options;
    private final HintTerm hint;
    private final Composition hintStage;
    private final Composition kdStage;

    public static void check(RunConfig cfg) {
        ConfigChecks.distill4jNetworks(cfg, "fitnet", "the student's stage maps");
        ConfigChecks.oneStudentOneTeacher(cfg, "fitnet");
        if (cfg.networks().stream().anyMatch(n -> n.name().equals(HintTerm.REGRESSOR))) {
            throw ConfigChecks.error(cfg, "the network name '" + HintTerm.REGRESSOR + "' is taken by fitnet");
        }
    }

    public FitNet(Options options, MethodSetup setup) {
        this.options = options;
        ConfigNode section = FeatureStages.section(setup, "fitnet");
        if (options.twoStage() && options.hintEpochs() >= setup.run().train().epochs()) {
            throw section.error("hint_epochs", options.hintEpochs() + " leaves no epoch for the second stage of "
                    + "train.epochs " + setup.run().train().epochs() + " (give fewer, or two_stage: false)");
        }
        // the hint term's keys are this method's: student -> guided_stage, teacher -> hint_stage
        TermSite site = (key, message) -> section.error(switch (key) {
            case "student" -> "guided_stage";
            case "teacher" -> "hint_stage";
            default -> key;
        }, message);
        this.hint = new HintTerm(new HintTerm.Options(options.hintWeight(), options.guidedStage(),
                options.hintStage(), options.regressor()), site, setup.optimizers());
        this.hintStage = new Composition(options.twoStage() ? List.of(hint)
                : List.of(new CeTerm(new CeTerm.Options(options.ceWeight())), hint));
        this.kdStage = new Composition(List.of(new CeTerm(new CeTerm.Options(options.kdCeWeight())),
                new KdTerm(new KdTerm.Options(options.kdWeight(), options.temperature(), 0, Warmup.By.EPOCH, false))));
    }

    @Override
    public void attach(NDManager manager, List<Net> trainable, List<Teacher> teachers) {
        hintStage.attach(manager, trainable.get(0), teachers.get(0));
    }

    @Override
    public List<Net> ownNetworks() {
        return hint.ownNetworks();
    }

    @Override
    public double softTargetTemperature() { return options.temperature(); }

    /**
     * The hint stage (with the cross-entropy in the single-stage form), or, with {@code two_stage} after
     * {@code hint_epochs}, Hinton's KD: the same {@code kd} term as the method {@code kd}.
     */
    @Override
    public Losses step(Batch batch, StepContext ctx) {
        boolean second = options.twoStage() && ctx.epoch() >= options.hintEpochs();
        return (second ? kdStage : hintStage).step(batch, ctx, false);
    }
}
