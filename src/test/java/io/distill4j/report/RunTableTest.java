package io.distill4j.report;

import io.distill4j.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunTableTest {
    @TempDir
    Path dir;

    private Path run(String name, double best, double last) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("summary.json"), "{\"method\":\"dlb\",\"networks\":{\"student\":{\"best_top1\":"
                + best + ",\"last_top1\":" + last + ",\"params\":10}},\"wall_seconds\":1,\"train_images_per_sec\":100}");
        return d;
    }

    @Test
    void groupsSeedsAndComputesMeanAndSampleStd() throws IOException {
        String md = RunTable.markdown(List.of(run("dlb-seed0", 0.90, 0.89), run("dlb-seed1", 0.92, 0.91),
                run("dlb-seed2", 0.94, 0.93), run("base-seed0", 0.80, 0.80)));
        assertThat(md).contains("| dlb | student | 3 | 92.00 ± 2.00 | 91.00 ± 2.00 | 100 |");
        assertThat(md).contains("| base | student | 1 | 80.00 ± 0.00 |");
        assertThat(md).contains("| test: optimistic |").doesNotContain("vs base");
    }

    @Test
    void unfinishedRunIsAClearError() {
        assertThatThrownBy(() -> RunTable.markdown(List.of(dir.resolve("nothing")))).isInstanceOf(UserError.class)
                .hasMessageContaining("nothing").hasMessageContaining("summary.json");
    }
}
