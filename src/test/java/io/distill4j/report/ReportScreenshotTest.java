package io.distill4j.report;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page renders: headless Chromium takes a screenshot of report.html and the screenshot is not blank (text,
 * table and charts give many colours and a fair share of non-white pixels). Skipped, saying why, only where no
 * Chromium is installed; CI installs it (.ci/run).
 */
class ReportScreenshotTest {
    private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome",
            "google-chrome-stable");

    static Path browser() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : BROWSERS) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    @Test
    void chromiumRendersTheReportToANonBlankScreenshot(@TempDir Path dir) throws Exception {
        Path chromium = browser();
        Assumptions.assumeTrue(chromium != null, "no Chromium on PATH (" + String.join(", ", BROWSERS)
                + "): apt-get install chromium to run this test");
        List<Path> runs = RunFixtures.oldRuns(dir.resolve("runs"));
        Experiment e = Experiment.load(runs);
        Path page = HtmlReport.write(e, Comparison.of(e, "baseline", "--reference"), dir.resolve("out"));
        Path shot = dir.resolve("screenshot.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + dir.resolve("profile"),
                "--screenshot=" + shot, "--window-size=1200,2000", page.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done).as("chromium finished within 120 s").isTrue();
        assertThat(shot).as("screenshot written; chromium said: %s", log(dir)).exists();
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(image.getWidth()).isEqualTo(1200);
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if (rgb != 0xFFFFFF) {
                    nonWhite++;
                }
            }
        }
        double share = (double) nonWhite / ((long) image.getWidth() * image.getHeight());
        assertThat(colours.size()).as("distinct colours").isGreaterThan(200);
        assertThat(share).as("share of non-white pixels").isGreaterThan(0.03);
    }

    private static String log(Path dir) throws IOException {
        Path log = dir.resolve("chromium.log");
        return Files.exists(log) ? Files.readString(log) : "(nothing)";
    }
}
