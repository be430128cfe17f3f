package io.distill4j.data;

/** Per-channel mean and standard deviation applied after scaling pixels to [0, 1]. */
public record Normalization(float[] mean, float[] std) {
    public Normalization {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean and std differ in length");
        }
    }

    /** Mean and std of every channel of a dataset (for datasets without published statistics). */
    public static Normalization of(ImageDataset ds) {
        int c = ds.channels();
        int plane = ds.height() * ds.width();
        double[] sum = new double[c];
        double[] sq = new double[c];
        byte[] px = ds.pixels();
        for (int i = 0; i < ds.size(); i++) {
            for (int ch = 0; ch < c; ch++) {
                int off = (i * c + ch) * plane;
                for (int k = 0; k < plane; k++) {
                    double v = (px[off + k] & 0xff) / 255.0;
                    sum[ch] += v;
                    sq[ch] += v * v;
                }
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        double n = (double) ds.size() * plane;
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = (float) (sum[ch] / n);
            std[ch] = (float) Math.sqrt(Math.max(1e-12, sq[ch] / n - mean[ch] * (double) mean[ch]));
        }
        return new Normalization(mean, std);
    }
}
