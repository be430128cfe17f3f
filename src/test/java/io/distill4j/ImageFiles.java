package io.distill4j;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Folders of small generated photographs for the streaming tests: JPEG and PNG alternating, sizes varying. */
public final class ImageFiles {
    private ImageFiles() {}

    /** A picture of class {@code cls}: a gradient whose direction and colour depend on the class. */
    public static BufferedImage picture(int cls, int i, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int t = (cls % 2 == 0 ? x * 255 / w : y * 255 / h);
                int r = cls == 0 ? t : (i * 13) % 64;
                int g = cls == 1 ? t : (i * 7) % 64;
                int b = cls == 2 ? t : 128 - t / 2;
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    /** Writes image {@code i} of class {@code cls} as {@code dir/<i>.jpg} or {@code .png}; returns the file. */
    public static Path write(Path dir, int cls, int i) throws IOException {
        Files.createDirectories(dir);
        boolean jpeg = i % 2 == 0;
        Path f = dir.resolve(String.format("img%03d.%s", i, jpeg ? "jpg" : "png"));
        ImageIO.write(picture(cls, i, 36 + (i * 5) % 17, 30 + (i * 3) % 19), jpeg ? "jpg" : "png", f.toFile());
        return f;
    }

    /** {@code root/train/c<k>/} with {@code perClass} images and {@code root/val/c<k>/} with a quarter of that. */
    public static List<Path> folder(Path root, int classes, int perClass) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                out.add(write(root.resolve("train").resolve("c" + c), c, i));
            }
            for (int i = 0; i < Math.max(1, perClass / 4); i++) {
                out.add(write(root.resolve("val").resolve("c" + c), c, 100 + i));
            }
        }
        return out;
    }
}
