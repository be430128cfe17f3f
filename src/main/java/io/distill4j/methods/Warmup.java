package io.distill4j.methods;

/**
 * A loss term's warm-up weight, growing linearly to 1 over {@code epochs} epochs (0: none, weight 1 throughout).
 * <ul>
 *   <li>{@link By#EPOCH}: the reference's per-epoch formula (mdistiller's DKD), {@code min((e + 1) / epochs, 1)}
 *   for 0-based epoch e: constant within an epoch, so a one-epoch warm-up is full weight from the first step.</li>
 *   <li>{@link By#STEP}: this project's reading for short runs, linear in the step, {@code min((s + 1) / (epochs *
 *   steps_per_epoch), 1)} for 0-based global step s: from near 0 at the first step to 1 at the warm-up's end.</li>
 * </ul>
 */
public final class Warmup {
    /** What the warm-up counts. */
    public enum By { EPOCH, STEP }

    private Warmup() {}

    /** The weight at 0-based {@code epoch} and global {@code step} of a run with {@code stepsPerEpoch}. */
    public static double weight(int epochs, By by, int epoch, long step, int stepsPerEpoch) {
        if (epochs == 0) {
            return 1;
        }
        return by == By.EPOCH ? Math.min((epoch + 1.0) / epochs, 1.0)
                : Math.min((step + 1.0) / ((double) epochs * stepsPerEpoch), 1.0);
    }

    /** The weight of this step of {@code ctx}. */
    public static double weight(int epochs, By by, StepContext ctx) {
        return weight(epochs, by, ctx.epoch(), ctx.step(), ctx.stepsPerEpoch());
    }
}
