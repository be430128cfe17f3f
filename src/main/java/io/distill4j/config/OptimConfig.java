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
    static OptimConfig from(ConfigNode n) {
        double lr = n.number("lr", 0.1, 0, 100);
        double momentum = n.number("momentum", 0.9, 0, 1);
        boolean nesterov = n.bool("nesterov", true);
        if (nesterov && momentum == 0) {
            throw n.error("nesterov", "Nesterov momentum needs optim.momentum > 0");
        }
        double wd = n.number("weight_decay", 5e-4, 0, 1);
        String schedule = n.choice("schedule", "cosine", List.of("cosine", "multistep", "constant"));
        List<Double> milestones = n.numbers("milestones", List.of());
        for (double m : milestones) {
            if (m < 0) {
                throw n.error("milestones", "milestone " + m + " is negative");
            }
        }
        if (schedule.equals("multistep") && milestones.isEmpty()) {
            throw n.error("milestones", "schedule multistep needs at least one milestone (in epochs)");
        }
        double gamma = n.number("gamma", 0.1, 0, 1);
        double warmup = n.number("warmup_epochs", 0, 0, 1e6);
        return new OptimConfig(lr, momentum, nesterov, wd, schedule, List.copyOf(milestones), gamma, warmup);
    }
}
