package io.distill4j.config;

import java.util.List;

/**
 * {@code optim:} PyTorch-semantics SGD and its learning-rate schedule.
 *
 * @param lr            base learning rate
 * @param momentum      momentum (dampening 0)
 * @param nesterov      Nesterov momentum
 * @param weightDecay   L2 weight decay added to the gradient (PyTorch's {@code weight_decay})
 * @param schedule      {@code cosine} (to 0 at the last step), {@code multistep}, {@code constant}
 * @param milestones    multistep: epochs (may be fractional) at which the rate is multiplied by gamma
 * @param gamma         multistep factor
 * @param warmupEpochs  linear warm-up from lr/warm-up-steps to lr over this many epochs (may be fractional)
 */
public record OptimConfig(double lr, double momentum, boolean nesterov, double weightDecay, String schedule,
                          List<Double> milestones, double gamma, double warmupEpochs) {
    /** The keys of {@code optim:}. */
    public static final Section SECTION = Section.of("optim", "SGD and its learning-rate schedule (PyTorch semantics)",
            Key.number("lr", "0.1", 0, 100, "base learning rate"),
            Key.number("momentum", "0.9", 0, 1, "momentum (dampening 0)"),
            Key.bool("nesterov", "true", "Nesterov momentum (needs momentum > 0)"),
            Key.number("weight_decay", "5e-4", 0, 1, "L2 weight decay added to the gradient"),
            Key.choice("schedule", "cosine", List.of("cosine", "multistep", "constant"), "cosine (to 0 at the last "
                    + "step), multistep (times gamma at each milestone) or constant"),
            Key.numbers("milestones", "[]", "multistep: epochs (may be fractional) at which the rate is multiplied by "
                    + "gamma"),
            Key.number("gamma", "0.1", 0, 1, "multistep factor"),
            Key.number("warmup_epochs", "0", 0, 1e6, "linear warm-up from lr/warm-up-steps to lr over this many epochs "
                    + "(may be fractional)"));

    static OptimConfig from(ConfigNode n) {
        Section s = SECTION;
        double lr = s.key("lr").readNumber(n);
        double momentum = s.key("momentum").readNumber(n);
        boolean nesterov = s.key("nesterov").readBool(n);
        if (nesterov && momentum == 0) {
            throw n.error("nesterov", "Nesterov momentum needs optim.momentum > 0");
        }
        double wd = s.key("weight_decay").readNumber(n);
        String schedule = s.key("schedule").readChoice(n);
        List<Double> milestones = s.key("milestones").readNumbers(n, List.of());
        for (double m : milestones) {
            if (m < 0) {
                throw n.error("milestones", "milestone " + m + " is negative");
            }
        }
        if (schedule.equals("multistep") && milestones.isEmpty()) {
            throw n.error("milestones", "schedule multistep needs at least one milestone (in epochs)");
        }
        double gamma = s.key("gamma").readNumber(n);
        double warmup = s.key("warmup_epochs").readNumber(n);
        return new OptimConfig(lr, momentum, nesterov, wd, schedule, List.copyOf(milestones), gamma, warmup);
    }
}
