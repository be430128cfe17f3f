package io.distill4j.bench;

import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The one rule that adapts a bench's config to a method, and the median of rounds. */
class BenchConfigsTest {
    private static RunConfig config(String networks) {
        return ConfigLoader.loadText("data: {name: fashion-mnist-mini}\nnetworks: " + networks + "\n", "test",
                List.of());
    }

    @Test
    void anOnlineMethodOnAOneNetworkConfigGetsASecondPeerOfTheSameArchitecture() {
        RunConfig one = config("{student: {arch: resnet14}}");
        assertThat(BenchConfigs.overrides(one, List.of("seed=2"), "dml"))
                .containsExactly("seed=2", "method.name=dml", "networks.bench_peer2.arch=resnet14");
        assertThat(BenchConfigs.overrides(one, List.of(), "okdcr"))
                .containsExactly("method.name=okdcr", "networks.bench_peer2.arch=resnet14");
        assertThat(BenchConfigs.overrides(one, List.of(), "baseline")).containsExactly("method.name=baseline");
        RunConfig two = config("{a: {arch: resnet8}, b: {arch: resnet8}}");
        assertThat(BenchConfigs.overrides(two, List.of(), "dml")).containsExactly("method.name=dml");
    }

    @Test
    void aScriptedStudentReplacesTheFirstNetworkAndAnOnlineMethodsPeerStaysDistill4js() {
        RunConfig one = config("{student: {arch: resnet14}}");
        assertThat(BenchConfigs.scripted(one, List.of(), "kd", Path.of("s.pt"))).containsExactly("method.name=kd",
                "networks.student.arch=none", "networks.student.model=s.pt");
        assertThat(BenchConfigs.scripted(one, List.of(), "dml", Path.of("s.pt"))).containsExactly("method.name=dml",
                "networks.bench_peer2.arch=resnet14", "networks.student.arch=none", "networks.student.model=s.pt");
        ConfigLoader.load(Path.of("configs/default.yaml"), BenchConfigs.scripted(one, List.of(), "baseline",
                Path.of("src/test/resources/io/distill4j/students/student.pt"))); // a valid config
    }

    @Test
    void theMedianIsTheMiddleOrTheMeanOfTheTwoMiddleValues() {
        assertThat(Median.of(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Median.of(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Median.of(List.of(7.0))).isEqualTo(7.0);
    }
}
