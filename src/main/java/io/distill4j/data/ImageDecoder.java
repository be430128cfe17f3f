package io.distill4j.data;

import io.distill4j.UserError;

import java.awt.Rectangle;
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
import javax.imageio.ImageReadParam;
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
        return decode(f, null).image();
    }

    /**
     * Which part of an upright image of the given size is wanted, as (x, y, width, height) in its pixels; the
     * decoder may then decode only the rows and columns around it (plus {@code margin} pixels).
     */
    public interface Region {
        double[] of(int width, int height);

        /** Pixels kept around the region for the resampling filter. */
        int margin(double[] region);
    }

    /** A decoded image (or part of one) and the wanted region in its coordinates. */
    public record Part(Rgb image, double[] region) {}

    /**
     * Decodes {@code f}, only the part around {@code region} where the format allows (a JPEG stored upright); with
     * a null region, the whole image. Any failure is a {@link UserError} naming the file.
     */
    public static Part decode(Path f, Region region) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UserError(f + ": cannot read image: " + e.getMessage());
        }
        boolean jpeg = isJpeg(bytes);
        if (jpeg && !endsJpeg(bytes)) { // checked here: a part decoded alone might stop before the missing end
            throw new UserError(f + ": unreadable or truncated image (" + KINDS + "): a JPEG without its end marker");
        }
        int orientation = jpeg ? ExifOrientation.of(bytes) : 1;
        Part part;
        try {
            part = read(bytes, orientation == 1 ? region : null);
        } catch (IOException e) {
            throw new UserError(f + ": unreadable or truncated image (" + KINDS + "): " + e.getMessage());
        } catch (RuntimeException e) { // decoders throw these on some corrupt files
            throw new UserError(f + ": corrupt or unsupported image (" + KINDS + "): " + e);
        } catch (OutOfMemoryError e) { // a header claiming huge dimensions
            throw new UserError(f + ": image too large to decode (" + e.getMessage() + ")");
        }
        if (part == null) {
            throw new UserError(f + ": not a readable image (" + KINDS + ")");
        }
        if (orientation == 1) {
            return part;
        }
        Rgb upright = orient(part.image(), orientation);
        return new Part(upright, region == null ? null : region.of(upright.width(), upright.height()));
    }

    /** An end-of-image marker among the last bytes (some writers append a little after it). */
    private static boolean endsJpeg(byte[] b) {
        for (int i = b.length - 2; i >= Math.max(0, b.length - 4096); i--) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xd9) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJpeg(byte[] b) {
        return b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8;
    }

    private static Part read(byte[] bytes, Region region) throws IOException {
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
                ImageReadParam param = reader.getDefaultReadParam();
                double[] wanted = null;
                int x0 = 0;
                int y0 = 0;
                if (region != null) {
                    int w = reader.getWidth(0);
                    int h = reader.getHeight(0);
                    wanted = region.of(w, h);
                    int m = region.margin(wanted);
                    x0 = Math.max(0, (int) Math.floor(wanted[0]) - m);
                    y0 = Math.max(0, (int) Math.floor(wanted[1]) - m);
                    int x1 = Math.min(w, (int) Math.ceil(wanted[0] + wanted[2]) + m);
                    int y1 = Math.min(h, (int) Math.ceil(wanted[1] + wanted[3]) + m);
                    param.setSourceRegion(new Rectangle(x0, y0, x1 - x0, y1 - y0));
                }
                BufferedImage img = reader.read(0, param);
                if (warning[0] != null) {
                    throw new IOException(warning[0]);
                }
                Rgb rgb = rgb(img);
                return new Part(rgb, wanted == null ? null
                        : new double[] {wanted[0] - x0, wanted[1] - y0, wanted[2], wanted[3]});
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
