package io.distill4j.loop;


import java.util.LinkedHashMap;

/**
 * Where the time of training steps went, in nanoseconds summed over steps: building the batch on the host
 * (data), the methods' forwards and losses (with the host-to-native copies), backward, optimizer steps, and the
 * rest of the step (method work outside its updates, e.g. teacher forwards, knowledge stores). Filled by a
 * {@link Stepper}; {@code bench} reports it.
 */
public final class StepTimes {
    long data;
    long forward;
    long backward;
    long optimizer;
    long step;
    long steps;

    public long steps() { return steps; }

    /** Milliseconds per step of each phase, in order: data, forward+loss, backward, optimizer, other. */
    public LinkedHashMap<String, Double> perStepMillis() {
        var m = new LinkedHashMap<String, Double>();
        double n = Math.max(1, steps) * 1e6;
        m.put("data", data / n);
        m.put("forward+loss", forward / n);
        m.put("backward", backward / n);
        m.put("optimizer", optimizer / n);
        m.put("other", (step - forward - backward - optimizer) / n);
        return m;
    }

    public void reset() {
        data = forward = backward = optimizer = step = steps = 0;
    }
}
