package io.distill4j.spark;

import io.distill4j.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code teacher-outputs} writes a store in parts (ranges of steps), each atomically and skipped when there and
 * valid; joined, in one process or from Spark tasks, they are the bytes training itself writes.
 */
class SparkTeacherOutputsTest {
    @TempDir
    Path dir;

    @Test
    void partsFromSparkTasksJoinIntoTheBytesOneProcessWrites() throws Exception {
        Files.writeString(dir.resolve("teacher.yaml"), SparkSweepTest.BASE);
        Path teacher = dir.resolve("teacher");
        assertThat(Main.execute("train", "-c", dir.resolve("teacher.yaml").toString(), "-o", teacher.toString()))
                .isEqualTo(0);
        Path kd = Files.writeString(dir.resolve("kd.yaml"), SparkSweepTest.BASE.replace("method: {name: baseline}",
                "method: {name: kd}\nteachers: {t: {arch: resnet8, checkpoint: " + teacher
                        + "/checkpoints/best.ckpt}}\n"));
        Path reference = dir.resolve("train.outputs"); // written by training, as it starts
        assertThat(Main.execute("train", "-c", kd.toString(), "-o", dir.resolve("kd").toString(), "--set",
                "train.teacher_outputs=" + reference)).isEqualTo(0);

        Path one = dir.resolve("one.outputs");
        assertThat(Main.execute("teacher-outputs", "-c", kd.toString(), "--set", "train.teacher_outputs=" + one,
                "--steps-per-part", "1")).isEqualTo(0);
        assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(reference));

        Path spark = dir.resolve("spark.outputs");
        String set = "train.teacher_outputs=" + spark;
        assertThat(Main.execute("teacher-outputs", "-c", kd.toString(), "--set", set, "--steps", "0:1")).isEqualTo(0);
        Path part = dir.resolve("spark.outputs.parts/steps-000000000-000000001");
        FileTime written = Files.getLastModifiedTime(part);
        assertThat(Main.execute("teacher-outputs", "-c", kd.toString(), "--set", set, "--steps", "0:1")).isEqualTo(0);
        assertThat(Files.getLastModifiedTime(part)).as("a valid part is skipped").isEqualTo(written);
        assertThat(Main.execute("teacher-outputs", "-c", kd.toString(), "--set", set, "--steps-per-part", "1",
                "--spark", "local[2]", "--conf", "spark.ui.enabled=false")).isEqualTo(0);
        assertThat(Files.readAllBytes(spark)).isEqualTo(Files.readAllBytes(reference));
        assertThat(Files.readString(dir.resolve("spark.outputs.parts/logs/1-2.log"))).contains("written");
        assertThat(dir.resolve("spark.outputs.parts/logs/0-1.log")).doesNotExist(); // written before: not a task
    }
}
