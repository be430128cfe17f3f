package io.distill4j.loop;

import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.Run;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Native memory is scoped per batch: nothing accumulates in the long-lived managers over many steps. */
class MemoryTest {
    @TempDir
    Path dir;

    @Test
    void longLivedManagersDoNotGrowAndRssStaysFlat() throws IOException {
        Path p = ResumeTest.config(dir, ResumeTest.CONFIG.replace("epochs: 2", "epochs: 50"));
        RunConfig cfg = ConfigLoader.load(p, List.of());
        try (Run run = Run.build(cfg)) {
            Stepper driver = new Stepper(run);
            for (int i = 0; i < 50; i++) {
                driver.step();
            }
            int arrays = countArrays(run);
            System.gc();
            long rss = rssKb();
            long heap = committedHeapKb();
            for (int i = 0; i < 200; i++) {
                driver.step();
            }
            assertThat(countArrays(run)).isEqualTo(arrays);
            System.gc();
            // a leak of one batch's activations per step would be hundreds of MB here; the Java heap may grow
            // its committed size meanwhile (other tests ran in this JVM before), which is not native memory
            long heapGrowth = Math.max(0, committedHeapKb() - heap);
            assertThat(rssKb() - rss - heapGrowth).as("RSS growth in KiB over 200 steps, heap growth (%d KiB) aside",
                    heapGrowth).isLessThan(64 * 1024);
        }
    }

    /** Arrays held by the run's manager and by every network's manager (parameters, buffers, gradients). */
    static int countArrays(Run run) {
        int n = run.manager().getManagedArrays().size();
        for (Net net : run.nets()) {
            n += net.manager().getManagedArrays().size();
        }
        return n;
    }

    static long committedHeapKb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }

    static long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        return 0;
    }
}
