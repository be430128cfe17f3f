package io.distill4j.data;

import io.distill4j.UserError;

import java.nio.file.Path;
import java.util.Set;

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

    /** Sample {@code i} decoded; null when it cannot be and such files are skipped. */
    public ImageDecoder.Rgb decode(int i, boolean training) {
        Path f = file(i);
        try {
            return ImageDecoder.decode(f);
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
