package io.distill4j.data;

import io.distill4j.UserError;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Image files to upright 8-bit RGB: JPEG (CMYK and YCCK through the TwelveMonkeys reader, EXIF orientation
 * applied), PNG (8 or 16 bits, gray, palette, alpha: alpha is dropped, as PIL's {@code convert("RGB")} does) and
 * BMP. A decoder warning (a truncated JPEG decodes with one, not with an exception) makes the file unreadable,
 * except a note about the colour profile (a CMYK JPEG without one is converted approximately).
 */
public final class ImageDecoder {
    static final String KINDS = "png, jpg, jpeg, bmp";

    private ImageDecoder() {}

    /** Pixels as R, G, B bytes row by row. */
    public record Rgb(int width, int height, byte[] rgb) {}

    /** Decodes {@code f}; any failure is a {@link UserError} naming the file. */
    public static Rgb decode(Path f) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UserError(f + ": cannot read image: " + e.getMessage());
        }
        BufferedImage img;
        try {
            img = read(bytes);
        } catch (IOException e) {
            throw new UserError(f + ": unreadable or truncated image (" + KINDS + "): " + e.getMessage());
        } catch (RuntimeException e) { // decoders throw these on some corrupt files
            throw new UserError(f + ": corrupt or unsupported image (" + KINDS + "): " + e);
        } catch (OutOfMemoryError e) { // a header claiming huge dimensions
            throw new UserError(f + ": image too large to decode (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new UserError(f + ": not a readable image (" + KINDS + ")");
        }
        Rgb rgb = rgb(img);
        int orientation = isJpeg(bytes) ? ExifOrientation.of(bytes) : 1;
        return orientation == 1 ? rgb : orient(rgb, orientation);
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8;
    }

    private static BufferedImage read(byte[] bytes) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String[] warning = new String[1];
                reader.addIIOReadWarningListener((r, message) -> { // colour profile notes are no damage
                    if (!message.contains("ICC") && !message.toLowerCase(Locale.ROOT).contains("profile")) {
                        warning[0] = message;
                    }
                });
                BufferedImage img = reader.read(0);
                if (warning[0] != null) {
                    throw new IOException(warning[0]);
                }
                return img;
            } finally {
                reader.dispose();
            }
        }
    }

    /** The image as RGB bytes: sRGB and gray component images read as stored (16 bits: the high byte), others through their colour model. */
    static Rgb rgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (3L * w * h > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(w + "x" + h + " is too large an image");
        }
        byte[] out = new byte[3 * w * h];
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        boolean component = img.getColorModel() instanceof ComponentColorModel;
        int colour = img.getColorModel().getNumColorComponents();
        boolean srgb = img.getColorModel().getColorSpace().isCS_sRGB();
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR && r.getDataBuffer() instanceof DataBufferByte buffer
                && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0
                && buffer.getData().length == out.length) { // what JPEG readers return: B, G, R bytes
            byte[] bgr = buffer.getData();
            for (int p = 0; p < out.length; p += 3) {
                out[p] = bgr[p + 2];
                out[p + 1] = bgr[p + 1];
                out[p + 2] = bgr[p];
            }
        } else if (component && ((colour == 3 && srgb) || colour == 1)) {
            int shift = Math.max(0, r.getSampleModel().getSampleSize(0) - 8);
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                int o = 3 * y * w;
                for (int x = 0; x < w; x++) {
                    int p = x * bands;
                    if (colour == 1) {
                        byte g = (byte) (row[p] >> shift);
                        out[o++] = g;
                        out[o++] = g;
                        out[o++] = g;
                    } else {
                        out[o++] = (byte) (row[p] >> shift);
                        out[o++] = (byte) (row[p + 1] >> shift);
                        out[o++] = (byte) (row[p + 2] >> shift);
                    }
                }
            }
        } else { // palette, packed, other colour spaces: through the colour model
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                int o = 3 * y * w;
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    out[o++] = (byte) (p >> 16);
                    out[o++] = (byte) (p >> 8);
                    out[o++] = (byte) p;
                }
            }
        }
        return new Rgb(w, h, out);
    }

    /** Turns an image stored with EXIF orientation {@code o} (2..8) upright. */
    static Rgb orient(Rgb src, int o) {
        int w = src.width();
        int h = src.height();
        boolean swap = o >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] out = new byte[src.rgb().length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (o) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                int s = 3 * (sy * w + sx);
                int d = 3 * (y * ow + x);
                out[d] = src.rgb()[s];
                out[d + 1] = src.rgb()[s + 1];
                out[d + 2] = src.rgb()[s + 2];
            }
        }
        return new Rgb(ow, oh, out);
    }
}
