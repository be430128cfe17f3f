package io.distill4j.inference;

import io.distill4j.UserError;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Images as a model's input: (C, H, W) floats in [0, 1]. The way {@code data.ImageFolderReader} turns image files
 * into a dataset: resized (bilinear) to the model's size when it differs, samples of single-band gray images read as
 * stored. A colour image for a one-channel model becomes gray as {@code 0.299 R + 0.587 G + 0.114 B} (rounded, as
 * DJL's image factory does), a gray image for a three-channel one is repeated on each channel.
 */
public final class ImagePixels {
    static final String KINDS = "png, jpg, jpeg, bmp";

    private ImagePixels() {}

    /** Decodes an image file; anything that is not a readable image is a one-line error naming the file. */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": image not found");
        }
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new UserError(file + ": not a readable image (" + KINDS + ")");
            }
            return img;
        } catch (IOException e) {
            throw new UserError(file + ": cannot read image (" + KINDS + "): " + e.getMessage());
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) { // decoders throw these on some corrupt files
            throw new UserError(file + ": corrupt or unsupported image (" + KINDS + "): " + e);
        } catch (OutOfMemoryError e) {
            throw new UserError(file + ": image too large to decode");
        }
    }

    /** Writes the image's C*H*W values in [0, 1] at {@code dst[offset]}. */
    public static void pixels(BufferedImage image, int channels, int height, int width, float[] dst, int offset) {
        BufferedImage img = image;
        boolean raw = img.getColorModel().getNumColorComponents() == 1 && img.getRaster().getNumBands() == 1;
        if (img.getHeight() != height || img.getWidth() != width) {
            BufferedImage r = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = r.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, width, height, null);
            g.dispose();
            img = r;
            raw = false;
        }
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = raw ? img.getRaster().getSample(x, y, 0) * 0x010101 : img.getRGB(x, y);
                int r = (p >> 16) & 0xff;
                int g = (p >> 8) & 0xff;
                int b = p & 0xff;
                int at = offset + y * width + x;
                if (channels == 1) {
                    dst[at] = (r == g && g == b ? r : Math.round(0.299f * r + 0.587f * g + 0.114f * b)) / 255f;
                } else {
                    dst[at] = r / 255f;
                    dst[at + plane] = g / 255f;
                    dst[at + 2 * plane] = b / 255f;
                }
            }
        }
    }
}
