package io.distill4j.training;

import io.distill4j.config.ConfigLoader;
import io.distill4j.models.ResidualUnit;
import ai.djl.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A residual branch switched off for a step is not updated: no weight decay, no momentum, nothing. */
class SwitchedOffBranchTest {
    @TempDir
    Path dir;

    @Test
    void trainingStepLeavesTheSwitchedOffBranchAlone() throws IOException {
        Path cfg = ResumeTest.config(dir, ResumeTest.CONFIG.replace("lr: 0.05", "lr: 0.5, weight_decay: 0.01"));
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            Net net = run.nets().get(0);
            Trainer.StepDriver driver = new Trainer(run, dir.resolve("o"), System.err).driver();
            driver.step(); // momentum buffers are now non-zero everywhere
            ResidualUnit unit = net.block().residualUnits().get(0);
            unit.setActive(false);
            Map<Parameter, float[]> before = new HashMap<>();
            for (Parameter p : Net.trainableParameters(net.block())) {
                before.put(p, p.getArray().toFloatArray());
            }
            driver.step();
            List<Parameter> branch = new ArrayList<>(unit.branchParameters());
            assertThat(branch).isNotEmpty();
            for (Parameter p : branch) {
                assertThat(p.getArray().toFloatArray()).as(p.getName()).containsExactly(before.get(p));
            }
            long moved = before.entrySet().stream().filter(e -> !branch.contains(e.getKey()))
                    .filter(e -> !java.util.Arrays.equals(e.getKey().getArray().toFloatArray(), e.getValue())).count();
            assertThat(moved).isEqualTo(before.size() - branch.size());
            unit.setActive(true);
            driver.step();
            assertThat(branch.get(0).getArray().toFloatArray()).isNotEqualTo(before.get(branch.get(0)));
        }
    }
}
