package io.distill4j.analysis;

/**
 * How much two classifiers agree on the same images (the DML article's evidence that peers learn from each other):
 * the fraction with the same top-1 class, the mean KL divergence each way, and how often both, or at least one,
 * are right.
 *
 * @param a            the first output's name
 * @param b            the second output's name
 * @param agreement    fraction of images on which both predict the same class (ties broken by the lower index)
 * @param klAB         mean {@code KL(p_a || p_b)} in nats (probabilities floored at 1e-12)
 * @param klBA         mean {@code KL(p_b || p_a)}
 * @param bothCorrect  fraction both classify correctly
 * @param eitherCorrect fraction at least one classifies correctly (the ceiling of an oracle picking between them)
 * @param count        images
 */
public record Agreement(String a, String b, double agreement, double klAB, double klBA, double bothCorrect,
                        double eitherCorrect, long count) {

    /** Agreement of two outputs (N x classes probabilities, row-major) on images with {@code labels}. */
    public static Agreement of(String a, float[] pa, String b, float[] pb, int[] labels) {
        int n = labels.length;
        if (n == 0 || pa.length != pb.length || pa.length % n != 0) {
            throw new IllegalArgumentException("outputs of " + pa.length + " and " + pb.length + " values for " + n
                    + " labels");
        }
        int classes = pa.length / n;
        long same = 0;
        long both = 0;
        long either = 0;
        double klAB = 0;
        double klBA = 0;
        for (int i = 0; i < n; i++) {
            int off = i * classes;
            int ta = argmax(pa, off, classes);
            int tb = argmax(pb, off, classes);
            if (ta == tb) {
                same++;
            }
            boolean ra = ta == labels[i];
            boolean rb = tb == labels[i];
            if (ra && rb) {
                both++;
            }
            if (ra || rb) {
                either++;
            }
            for (int c = 0; c < classes; c++) {
                double x = Math.max(pa[off + c], 1e-12);
                double y = Math.max(pb[off + c], 1e-12);
                klAB += pa[off + c] * (Math.log(x) - Math.log(y));
                klBA += pb[off + c] * (Math.log(y) - Math.log(x));
            }
        }
        return new Agreement(a, b, (double) same / n, klAB / n, klBA / n, (double) both / n, (double) either / n, n);
    }

    private static int argmax(float[] p, int off, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (p[off + c] > p[off + best]) {
                best = c;
            }
        }
        return best;
    }
}
