package io.distill4j.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The median of a bench's rounds: what the bench modes that alternate rounds report. */
public final class Median {
    private Median() {}

    /** The middle value, or the mean of the two middle values of an even count. */
    public static double of(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
