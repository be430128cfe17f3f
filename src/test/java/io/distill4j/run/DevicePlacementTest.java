package io.distill4j.run;

import ai.djl.Device;
import io.distill4j.UserError;
import io.distill4j.cli.Main;
import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.loop.Stepper;
import io.distill4j.runtime.Devices;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code train.device} on a machine without a GPU (what can be checked on the CPU): the run's arrays and every
 * network with {@code device: default} live on the run's device, bad names are one line, the device is no part of
 * a run's identity (a run resumes on another device), and a GPU this machine lacks stops the run before any data
 * is read.
 */
class DevicePlacementTest {
    @TempDir
    Path dir;

    private Path config(String train) throws IOException {
        Path p = dir.resolve("c.yaml");
        Files.writeString(p, """
                seed: 2
                data: {name: fashion-mnist-mini, train_subset: 64}
                networks: {a: {arch: resnet8}, b: {arch: resnet8, device: cpu}}
                train: {epochs: 1, batch_size: 32, threads: 1, TRAIN}
                method: {name: dml}
                """.replace("TRAIN", train));
        return p;
    }

    @Test
    void everyNetworkTheBatchesAndTheMethodLiveOnTheRunsDevice() throws IOException {
        try (Run run = Run.build(ConfigLoader.load(config("device: auto"), List.of()))) {
            Device d = Devices.resolve("auto", "test");
            assertThat(run.manager().getDevice()).isEqualTo(d);
            assertThat(run.nets().get(0).manager().getDevice()).as("device: default follows train.device").isEqualTo(d);
            assertThat(run.nets().get(1).manager().getDevice()).as("device: cpu pins it").isEqualTo(Device.cpu());
            for (Net n : run.nets()) {
                n.block().getParameters().forEach(p -> assertThat(p.getValue().getArray().getDevice())
                        .isEqualTo(n.manager().getDevice()));
            }
            new Stepper(run).step(); // peers on their devices train together: the inputs and outputs are copied
        }
    }

    @Test
    void badDeviceNamesAreOneLineAndTheDeviceIsNoPartOfARunsIdentity() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(config("device: tpu"), List.of())).isInstanceOf(UserError.class)
                .hasMessageContaining("train.device").hasMessageContaining("'tpu' is not cpu, gpu, gpu:N or auto");
        RunConfig cpu = ConfigLoader.load(config("device: cpu"), List.of());
        RunConfig gpu = ConfigLoader.load(config("device: gpu:3"), List.of());
        assertThat(ConfigLoader.toYaml(gpu.resolved())).contains("device: gpu:3");
        assertThat(gpu.identity()).isEqualTo(cpu.identity()).doesNotContain("device");
        assertThat(ConfigLoader.load(config("device: cpu, epochs: 2"), List.of()).identity())
                .isNotEqualTo(cpu.identity());
    }

    @Test
    void aRunResumesOnAnotherDeviceNameAndAMissingGpuStopsBeforeAnyData() throws IOException {
        Path c = config("device: cpu");
        Path out = dir.resolve("run");
        assertThat(Main.execute("train", "-c", c.toString(), "-o", out.toString(), "--stop-after-steps", "1"))
                .isZero();
        assertThat(Main.execute("train", "--resume", out.toString(), "--set", "train.device=auto")).isZero();
        assertThat(out.resolve("summary.json")).exists();
        if (Devices.resolve("auto", "test").equals(Device.cpu())) {
            assertThatThrownBy(() -> Run.build(ConfigLoader.load(config("device: gpu:1"), List.of())))
                    .isInstanceOf(UserError.class).hasMessageContaining("train.device: gpu:1 requested");
        }
    }
}
