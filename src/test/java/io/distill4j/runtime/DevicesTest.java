package io.distill4j.runtime;

import ai.djl.Device;
import io.distill4j.UserError;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Device names against machines with no, one and two GPUs (the engine's count is a parameter here). */
class DevicesTest {
    @Test
    void namesResolveToTheEnginesDevices() {
        assertThat(Devices.resolve("cpu", 0, "c.yaml: train.device")).isEqualTo(Device.cpu());
        assertThat(Devices.resolve("cpu", 2, "c.yaml: train.device")).isEqualTo(Device.cpu());
        assertThat(Devices.resolve("auto", 0, "c.yaml: train.device")).isEqualTo(Device.cpu());
        assertThat(Devices.resolve("auto", 2, "c.yaml: train.device")).isEqualTo(Device.gpu(0));
        assertThat(Devices.resolve("gpu", 1, "c.yaml: train.device")).isEqualTo(Device.gpu(0));
        assertThat(Devices.resolve("gpu:1", 2, "c.yaml: train.device")).isEqualTo(Device.gpu(1));
    }

    @Test
    void aGpuTheEngineDoesNotSeeIsOneLineNamingTheKey() {
        assertThatThrownBy(() -> Devices.resolve("gpu", 0, "c.yaml: train.device")).isInstanceOf(UserError.class)
                .hasMessageStartingWith("c.yaml: train.device: gpu requested but the engine sees 0 GPUs")
                .hasMessageContaining("CPU natives");
        assertThatThrownBy(() -> Devices.resolve("gpu:2", 2, "c.yaml: networks.b.device"))
                .isInstanceOf(UserError.class).hasMessageContaining("networks.b.device: gpu:2")
                .hasMessageContaining("gpu:0 to gpu:1");
    }

    @Test
    void onThisMachineAutoIsTheCpuOrAGpuTheEngineSees() {
        Device d = Devices.resolve("auto", "here");
        assertThat(d.isGpu() || d.equals(Device.cpu())).isTrue();
    }
}
