package io.distill4j.data;

import io.distill4j.ImageFiles;
import io.distill4j.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding the formats photographs come in, and the ImageNet recipe's crops. */
class ImageDecoderTest {
    @TempDir
    Path dir;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ImageDecoderTest.class.getResource("decode/" + name).toURI()); // tools/make_decode_fixtures.py
    }

    static int[] rgb(ImageDecoder.Rgb img, int x, int y) {
        int p = 3 * (y * img.width() + x);
        return new int[] {img.rgb()[p] & 0xff, img.rgb()[p + 1] & 0xff, img.rgb()[p + 2] & 0xff};
    }

    @Test
    void cmykJpegDecodesToItsColours() throws Exception {
        ImageDecoder.Rgb img = ImageDecoder.decode(fixture("cmyk.jpg"));
        assertThat(img.width()).isEqualTo(8);
        assertThat(rgb(img, 1, 1)[0]).as("red half").isGreaterThan(150);
        assertThat(rgb(img, 1, 1)[2]).isLessThan(100);
        assertThat(rgb(img, 6, 1)[2]).as("blue half").isGreaterThan(150);
        assertThat(rgb(img, 6, 1)[0]).isLessThan(100);
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        ImageDecoder.Rgb img = ImageDecoder.decode(fixture("exif-rotate-90.jpg")); // stored 8x4, red left
        assertThat(img.width()).isEqualTo(4);
        assertThat(img.height()).isEqualTo(8);
        assertThat(rgb(img, 1, 1)[0]).as("red on top").isGreaterThan(150);
        assertThat(rgb(img, 1, 6)[2]).as("blue below").isGreaterThan(150);
    }

    @Test
    void pngOf16BitsGrayPaletteAndAlphaAndBmp() throws IOException {
        BufferedImage g16 = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(1, 0, 0, 0x8123);
        BufferedImage palette = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_INDEXED);
        palette.setRGB(1, 0, 0xff0000);
        BufferedImage alpha = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(1, 0, 0x80102030);
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 0, 0, 77);
        BufferedImage bmp = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        bmp.setRGB(1, 0, 0x0a141e);
        int[][] expected = {{0x81, 0x81, 0x81}, {255, 0, 0}, {0x10, 0x20, 0x30}, {77, 77, 77}, {10, 20, 30}};
        BufferedImage[] images = {g16, palette, alpha, gray, bmp};
        for (int k = 0; k < images.length; k++) {
            Path f = dir.resolve(k + (k == 4 ? ".bmp" : ".png"));
            assertThat(ImageIO.write(images[k], k == 4 ? "bmp" : "png", f.toFile())).isTrue();
            ImageDecoder.Rgb img = ImageDecoder.decode(f);
            assertThat(rgb(img, 1, 0)).as(f.toString()).containsExactly(expected[k]);
        }
    }

    @Test
    void truncatedAndNonImageFilesAreUserErrorsNamingThem() throws IOException {
        Path jpg = dir.resolve("a.jpg");
        BufferedImage big = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 64 * 64; i++) {
            big.setRGB(i % 64, i / 64, i * 2654435761L > 0 ? (int) (i * 2654435761L) : i);
        }
        ImageIO.write(big, "jpg", jpg.toFile());
        byte[] b = Files.readAllBytes(jpg);
        Files.write(jpg, Arrays.copyOf(b, b.length * 2 / 3));
        assertThatThrownBy(() -> ImageDecoder.decode(jpg)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(jpg.toString());
        Path txt = Files.writeString(dir.resolve("b.png"), "not a picture");
        assertThatThrownBy(() -> ImageDecoder.decode(txt)).isInstanceOf(UserError.class)
                .hasMessageStartingWith(txt + ": not a readable image");
    }

    @Test
    void decodingOnlyTheCropsRegionGivesTheSameInputAsDecodingAll() throws IOException {
        Path f = dir.resolve("p.jpg");
        ImageIO.write(ImageFiles.picture(1, 3, 90, 70), "jpg", f.toFile());
        ImageRecipe r = new ImageRecipe(ImageRecipe.RANDOM_RESIZED, 0.08, 1.0, 0.75, 4.0 / 3, 0, 0.3);
        StreamedImages files = new StreamedImages(dir, new String[] {"p.jpg"}, r, false, new HashSet<>(), "-");
        for (int seed = 0; seed < 20; seed++) {
            byte[] part = files.input(0, true, 24, 24, new SplittableRandom(seed));
            byte[] whole = r.train(ImageDecoder.decode(f), 24, 24, new SplittableRandom(seed));
            assertThat(part).as("seed %d", seed).containsExactly(whole);
        }
        assertThat(files.input(0, false, 24, 24, null)).containsExactly(r.eval(ImageDecoder.decode(f), 24, 24));
    }

    @Test
    void randomResizedCropsStayInsideWithinTheScaleAndRatioRanges() {
        ImageRecipe r = new ImageRecipe(ImageRecipe.RANDOM_RESIZED, 0.08, 1.0, 0.75, 4.0 / 3, 0, 0);
        SplittableRandom rng = new SplittableRandom(1);
        for (int k = 0; k < 1000; k++) {
            double[] c = r.randomRegion(500, 375, rng);
            assertThat(c[0]).isBetween(0.0, 500 - c[2]);
            assertThat(c[1]).isBetween(0.0, 375 - c[3]);
            double area = c[2] * c[3] / (500.0 * 375);
            assertThat(area).isBetween(0.07, 1.0);
        }
        ImageDecoder.Rgb flat = new ImageDecoder.Rgb(10, 6, new byte[180]);
        Arrays.fill(flat.rgb(), (byte) 99);
        byte[] out = r.eval(flat, 4, 4);
        assertThat(out).hasSize(48).containsOnly((byte) 99); // a flat image stays flat through resampling
        byte[] t1 = r.train(flat, 4, 4, new SplittableRandom(5));
        assertThat(t1).containsOnly((byte) 99);
    }
}
