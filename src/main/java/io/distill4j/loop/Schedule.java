package io.distill4j.loop;

import io.distill4j.config.OptimConfig;

/**
 * The learning rate as a pure function of the global step, so a resumed run continues the schedule exactly
 * (DJL's trackers restart on resume and differ from PyTorch at the edges; see ENGINE.md).
 *
 * <ul>
 *   <li>warm-up: for step {@code s < W}, {@code lr * (s + 1) / W};</li>
 *   <li>cosine: after warm-up, {@code lr * (1 + cos(pi * (s - W) / (S - W))) / 2}, reaching 0 at the end;</li>
 *   <li>multistep: {@code lr * gamma^k}, k = number of milestones (in steps) at or before s;</li>
 *   <li>constant: {@code lr}.</li>
 * </ul>
 */
public final class Schedule {
    private final String kind;
    private final double base;
    private final long totalSteps;
    private final long warmupSteps;
    private final long[] milestoneSteps;
    private final double gamma;

    public Schedule(String kind, double base, long totalSteps, long warmupSteps, long[] milestoneSteps, double gamma) {
        this.kind = kind;
        this.base = base;
        this.totalSteps = totalSteps;
        this.warmupSteps = Math.min(warmupSteps, totalSteps);
        this.milestoneSteps = milestoneSteps.clone();
        this.gamma = gamma;
    }

    public static Schedule of(OptimConfig o, int stepsPerEpoch, int epochs) {
        long total = (long) stepsPerEpoch * epochs;
        long warm = Math.round(o.warmupEpochs() * stepsPerEpoch);
        long[] ms = o.milestones().stream().mapToLong(m -> Math.round(m * stepsPerEpoch)).toArray();
        return new Schedule(o.schedule(), o.lr(), total, warm, ms, o.gamma());
    }

    public double lr(long step) {
        if (step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        switch (kind) {
            case "cosine": {
                long span = totalSteps - warmupSteps;
                if (span <= 0) {
                    return 0;
                }
                double progress = Math.min(1.0, (double) (step - warmupSteps) / span);
                return base * 0.5 * (1 + Math.cos(Math.PI * progress));
            }
            case "multistep": {
                double lr = base;
                for (long m : milestoneSteps) {
                    if (step >= m) {
                        lr *= gamma;
                    }
                }
                return lr;
            }
            case "constant":
                return base;
            default:
                throw new IllegalArgumentException("unknown schedule " + kind);
        }
    }

    public long totalSteps() { return totalSteps; }
}
