package io.distill4j.config;

import io.distill4j.UserError;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path p = dir.resolve("run.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    private static final String GOOD = """
            seed: 3
            data: {name: fashion-mnist, train_subset: 5000}
            networks:
              student: {arch: resnet8}
            train: {epochs: 4, batch_size: 64}
            optim: {lr: 0.05, weight_decay: 5e-4, schedule: multistep, milestones: [2, 3]}
            method: {name: baseline}
            """;

    @Test
    void threadsComeFromTheConfigElseTheLauncherElseAllCores() throws IOException {
        String key = "ai.djl.pytorch.num_threads";
        String saved = System.getProperty(key);
        try {
            System.clearProperty(key);
            RunConfig c = ConfigLoader.load(write(GOOD), List.of());
            assertThat(c.train().resolvedThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
            System.setProperty(key, "1"); // what bin/distill4j passes for DISTILL4J_THREADS=1
            assertThat(c.train().resolvedThreads()).isEqualTo(1);
            RunConfig three = ConfigLoader.load(write(GOOD), List.of("train.threads=3"));
            assertThat(three.train().resolvedThreads()).isEqualTo(3);
            System.setProperty(key, "0"); // java -jar run by hand with a bad thread count
            Assertions.assertThatThrownBy(c.train()::resolvedThreads)
                    .isInstanceOf(UserError.class).hasMessageContaining("num_threads=0");
        } finally {
            if (saved == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, saved);
            }
        }
    }

    /** A key whose default is none may be written none: a sweep's override takes an architecture away that way. */
    @Test
    void anOptionalKeyWrittenNoneIsAbsent() throws IOException {
        RunConfig c = ConfigLoader.load(write(GOOD), List.of("networks.student.arch=none",
                "networks.student.model=student.pt", "networks.student.init=none"));
        assertThat(c.networks().get(0).arch()).isNull();
        assertThat(c.networks().get(0).model()).isEqualTo("student.pt");
        assertThat(c.networks().get(0).init()).isNull();
    }

    @Test
    void readsTheContractKeys() throws IOException {
        RunConfig c = ConfigLoader.load(write(GOOD), List.of());
        assertThat(c.seed()).isEqualTo(3);
        assertThat(c.data().name()).isEqualTo("fashion-mnist");
        assertThat(c.data().trainSubset()).isEqualTo(5000);
        assertThat(c.train().epochs()).isEqualTo(4);
        assertThat(c.train().batchSize()).isEqualTo(64);
        assertThat(c.optim().lr()).isEqualTo(0.05);
        assertThat(c.optim().weightDecay()).isEqualTo(5e-4); // "5e-4" is a string to YAML 1.1
        assertThat(c.optim().milestones()).containsExactly(2.0, 3.0);
        assertThat(c.methodName()).isEqualTo("baseline");
        assertThat(c.networks()).extracting(NetworkConfig::arch).containsExactly("resnet8");
    }

    @Test
    void setOverridesAnyKeyWithTypedValues() throws IOException {
        RunConfig c = ConfigLoader.load(write(GOOD),
                List.of("train.epochs=7", "optim.lr=0.2", "data.flip=false", "networks.student.arch=resnet20"));
        assertThat(c.train().epochs()).isEqualTo(7);
        assertThat(c.optim().lr()).isEqualTo(0.2);
        assertThat(c.data().flip()).isFalse();
        assertThat(c.network("student").arch()).isEqualTo("resnet20");
    }

    @Test
    void tensorboardIsOffUnlessSetAndMustBeABoolean() throws IOException {
        assertThat(ConfigLoader.load(write(GOOD), List.of()).train().tensorboard()).isFalse();
        assertThat(ConfigLoader.load(write(GOOD), List.of("train.tensorboard=true")).train().tensorboard()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.load(write(GOOD), List.of("train.tensorboard=often")))
                .isInstanceOf(UserError.class).hasMessageContaining("tensorboard");
    }

    @Test
    void settingANetworkToNullRemovesIt() throws IOException {
        String two = GOOD.replace("student: {arch: resnet8}", "student: {arch: resnet8}\n  peer: {arch: resnet14}");
        assertThat(ConfigLoader.load(write(two), List.of()).networks()).hasSize(2);
        RunConfig c = ConfigLoader.load(write(two), List.of("networks.peer=null"));
        assertThat(c.networks()).extracting(NetworkConfig::name).containsExactly("student");
        assertThatThrownBy(() -> ConfigLoader.load(write(two), List.of("networks.peer=null", "networks.student=null")))
                .isInstanceOf(UserError.class).hasMessageContaining("networks").hasMessageContaining("required");
    }

    @Test
    void unknownKeysAreErrorsNamingTheKey() throws IOException {
        Path p = write(GOOD + "train2: {}\n");
        assertThatThrownBy(() -> {
            RunConfig c = ConfigLoader.load(p, List.of());
            c.root().finish();
        }).isInstanceOf(UserError.class).hasMessageContaining("unknown config key 'train2'")
                .hasMessageContaining("run.yaml");
        assertThatThrownBy(() -> {
            RunConfig c = ConfigLoader.load(write(GOOD), List.of("train.epoch=3"));
            c.root().finish();
        }).isInstanceOf(UserError.class).hasMessageContaining("'train.epoch'");
    }

    @Test
    void outOfRangeAndWrongTypesNameTheKey() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(write(GOOD), List.of("train.epochs=0")))
                .isInstanceOf(UserError.class).hasMessageContaining("train.epochs").hasMessageContaining("0");
        assertThatThrownBy(() -> ConfigLoader.load(write(GOOD), List.of("optim.lr=fast")))
                .isInstanceOf(UserError.class).hasMessageContaining("optim.lr").hasMessageContaining("fast");
        assertThatThrownBy(() -> ConfigLoader.load(write(GOOD), List.of("data.name=imagenet")))
                .isInstanceOf(UserError.class).hasMessageContaining("data.name").hasMessageContaining("imagenet");
        assertThatThrownBy(() -> ConfigLoader.load(write(GOOD), List.of("networks.student.arch=")))
                .isInstanceOf(UserError.class).hasMessageContaining("networks.student.arch");
        assertThatThrownBy(() -> ConfigLoader.load(write("seed: [1\n"), List.of()))
                .isInstanceOf(UserError.class).hasMessageContaining("invalid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), List.of()))
                .isInstanceOf(UserError.class).hasMessageContaining("missing.yaml");
    }

    @Test
    void resolvedConfigHoldsDefaultsAndReadsBackTheSame() throws IOException {
        RunConfig c = ConfigLoader.load(write(GOOD), List.of());
        c.root().finish();
        String yaml = ConfigLoader.toYaml(c.resolved());
        assertThat(yaml).contains("nesterov: true").contains("momentum: 0.9").contains("train_subset: 5000");
        Path again = dir.resolve("resolved.yaml");
        Files.writeString(again, yaml);
        RunConfig c2 = ConfigLoader.load(again, List.of());
        c2.root().finish();
        assertThat(ConfigLoader.toYaml(c2.resolved())).isEqualTo(yaml);
        assertThat(c2.optim()).isEqualTo(c.optim());
        assertThat(c2.data()).isEqualTo(c.data());
    }

    @Test
    void overrideSyntaxErrors() {
        assertThatThrownBy(() -> ConfigLoader.applyOverride(new LinkedHashMap<>(), "noequals"))
                .isInstanceOf(UserError.class).hasMessageContaining("noequals");
        Map<String, Object> m = new LinkedHashMap<>(Map.of("seed", 1));
        assertThatThrownBy(() -> ConfigLoader.applyOverride(m, "seed.x=1"))
                .isInstanceOf(UserError.class).hasMessageContaining("seed");
    }
}
