package io.distill4j.data;

import io.distill4j.UserError;

import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The image files of a streamed split, indexed, not loaded: paths relative to a base folder (sorted as the
 * index was built, so sample i is the same file in every run), how each becomes input ({@link ImageRecipe}) and
 * what a file that cannot be decoded does: stop the run (a {@link UserError} naming it) or be skipped, remembered
 * in {@code skipped} (shared by all the splits of a dataset).
 *
 * @param fingerprint a digest of the split as indexed (paths, labels, file sizes), kept through {@link #select}
 */
public record StreamedImages(Path base, String[] paths, ImageRecipe recipe, boolean skipBad, Set<String> skipped,
                             String fingerprint) {

    public int size() {
        return paths.length;
    }

    public Path file(int i) {
        return base.resolve(paths[i]);
    }

    /** Sample {@code i} decoded whole; null when it cannot be and such files are skipped. */
    public ImageDecoder.Rgb decode(int i, boolean training) {
        ImageDecoder.Part p = part(i, training, null);
        return p == null ? null : p.image();
    }

    /**
     * Sample {@code i} as (3, h, w) input bytes, decoding only what its crop needs; training draws the crop and the
     * jitter from {@code rng}. Null when the file cannot be decoded and such files are skipped.
     */
    public byte[] input(int i, boolean training, int h, int w, SplittableRandom rng) {
        ImageDecoder.Region region = new ImageDecoder.Region() {
            @Override
            public double[] of(int width, int height) {
                return training ? recipe.trainRegion(width, height, rng) : recipe.evalRegion(width, height, h, w);
            }

            @Override
            public int margin(double[] r) {
                return ImageRecipe.margin(r, h, w);
            }
        };
        ImageDecoder.Part p = part(i, training, region);
        return p == null ? null : recipe.input(p.image(), p.region(), h, w, training ? rng : null);
    }

    /** Sample {@code i}'s given region (x, y, width, height) as (3, h, w) input bytes; null when skipped. */
    public byte[] input(int i, double[] region, int h, int w) {
        ImageDecoder.Part p = part(i, true, new ImageDecoder.Region() {
            @Override
            public double[] of(int width, int height) {
                return region;
            }

            @Override
            public int margin(double[] r) {
                return ImageRecipe.margin(r, h, w);
            }
        });
        return p == null ? null : recipe.input(p.image(), p.region(), h, w, null);
    }

    private ImageDecoder.Part part(int i, boolean training, ImageDecoder.Region region) {
        Path f = file(i);
        try {
            return ImageDecoder.decode(f, region);
        } catch (UserError e) {
            if (!skipBad) {
                throw new UserError(e.getMessage() + " (met in " + (training ? "training" : "evaluation")
                        + "; data.on_bad_image: skip skips such files)");
            }
            skipped.add(f.toString());
            return null;
        }
    }

    /** The given samples, in that order. */
    public StreamedImages select(int[] indices) {
        String[] p = new String[indices.length];
        for (int k = 0; k < indices.length; k++) {
            p[k] = paths[indices[k]];
        }
        return new StreamedImages(base, p, recipe, skipBad, skipped, fingerprint);
    }
}
