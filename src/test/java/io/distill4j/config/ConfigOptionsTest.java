package io.distill4j.config;

import io.distill4j.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every config key is declared once ({@link Key}, {@link Section}) and read through its declaration: a section's
 * parser reads exactly its declared keys, every default is the declared one, every declared range and choice is
 * enforced, and the README's configuration reference is {@code distill4j options --markdown}.
 */
class ConfigOptionsTest {
    @TempDir
    Path dir;

    /** Configs that between them make every section's parser read every key it can read. */
    static final List<String> CONFIGS = List.of("""
            networks: {student: {arch: resnet8}}
            teachers: {t: {arch: resnet20, checkpoint: t.ckpt}}
            """, """
            data: {name: image-folder, root: x}
            networks: {student: {arch: resnet8}}
            teachers: {t: {model: t.pt, classes: [a, b], input: {channels: 1, height: 28, width: 28, mean: [0.5],
                        std: [0.5], normalization: inside}}}
            optim: {schedule: multistep, milestones: [2]}
            """);

    private RunConfig load(String yaml) throws IOException {
        Path p = Files.createTempFile(dir, "c", ".yaml");
        Files.writeString(p, yaml);
        return ConfigLoader.load(p, List.of());
    }

    /** The keys each section's parser read (resolved), by section path, over all {@link #CONFIGS}. */
    private Map<String, Set<String>> readKeys() throws IOException {
        Map<String, Set<String>> read = new HashMap<>();
        for (String yaml : CONFIGS) {
            ConfigNode root = load(yaml).root();
            read.computeIfAbsent("(top level)", k -> new TreeSet<>()).addAll(root.resolvedView().keySet());
            for (String s : List.of("data", "train", "optim", "method")) {
                read.computeIfAbsent(s, k -> new TreeSet<>()).addAll(root.child(s).resolvedView().keySet());
            }
            read.computeIfAbsent("networks.NAME", k -> new TreeSet<>())
                    .addAll(root.child("networks").child("student").resolvedView().keySet());
            ConfigNode t = root.child("teachers").child("t");
            read.computeIfAbsent("teachers.NAME", k -> new TreeSet<>()).addAll(t.resolvedView().keySet());
            if (t.has("input")) {
                read.computeIfAbsent("teachers.NAME.input", k -> new TreeSet<>())
                        .addAll(t.child("input").resolvedView().keySet());
            }
        }
        return read;
    }

    @Test
    void eachSectionsParserReadsExactlyItsDeclaredKeys() throws IOException {
        Map<String, Set<String>> read = readKeys();
        for (Section s : ConfigReference.sections()) {
            Set<String> declared = new TreeSet<>(s.keys().stream().map(Key::name).toList());
            Set<String> got = new TreeSet<>(read.get(s.path()));
            if (s.path().equals("method")) {
                got.removeIf(k -> !k.equals("name")); // each method's own section: distill4j methods lists it
            }
            assertThat(got).as("keys read by the parser of %s", s.path()).isEqualTo(declared);
        }
    }

    @Test
    void everyDeclaredDefaultIsTheParsersDefault() throws IOException {
        ConfigNode root = load(CONFIGS.get(0)).root();
        List<String> checked = new ArrayList<>();
        for (Section s : List.of(RunConfig.SECTION, DataConfig.SECTION, TrainConfig.SECTION, OptimConfig.SECTION,
                NetworkConfig.SECTION, RunConfig.METHOD)) {
            ConfigNode n = switch (s.path()) {
                case "(top level)" -> root;
                case "networks.NAME" -> root.child("networks").child("student");
                default -> root.child(s.path());
            };
            for (Key k : s.keys()) {
                if (k.type() == Key.Type.SECTION || List.of("arch", "validation").contains(k.name())
                        || k.defaultText().contains(" ")) { // required, or a default that depends on other keys
                    continue;
                }
                Object v = n.resolvedView().get(k.name());
                String where = s.path() + "." + k.name();
                switch (k.type()) {
                    case INTEGER, NUMBER -> {
                        if (k.defaultText().equals("none")) {
                            assertThat(v).as(where).isNull();
                        } else {
                            assertThat(((Number) v).doubleValue()).as(where)
                                    .isEqualTo(Double.parseDouble(k.defaultText()));
                        }
                    }
                    case NUMBERS -> assertThat(String.valueOf(v).replace(" ", "")).as(where)
                            .isIn(k.defaultText().replace(" ", ""), "[" + k.defaultText().replace(" ", "") + "]");
                    default -> assertThat(v == null ? "none" : String.valueOf(v)).as(where).isEqualTo(k.defaultText());
                }
                checked.add(where);
            }
        }
        assertThat(checked).hasSizeGreaterThan(40);
        // the defaults that depend on other keys, as listed
        DataConfig mnist = load("networks: {s: {arch: resnet8}}\ndata: {name: mnist, mix: compound}\n").data();
        assertThat(List.of(mnist.padCrop(), mnist.flip(), mnist.mixWarmup(), mnist.mixPartner()))
                .containsExactly(2, false, 0.1, "second_batch");
        DataConfig cifar = load("networks: {s: {arch: resnet8}}\ndata: {name: cifar10, mix: mixup}\n").data();
        assertThat(List.of(cifar.padCrop(), cifar.flip(), cifar.mixWarmup(), cifar.mixPartner()))
                .containsExactly(4, true, 0.0, "permutation");
    }

    @Test
    void everyDeclaredRangeAndChoiceIsEnforcedWithOneLineNamingTheKey() throws IOException {
        int checked = 0;
        for (Section s : List.of(RunConfig.SECTION, DataConfig.SECTION, TrainConfig.SECTION, OptimConfig.SECTION)) {
            for (Key k : s.keys()) {
                String prefix = s.path().equals("(top level)") ? "" : s.path() + ".";
                List<String> bad = new ArrayList<>();
                if (k.type() == Key.Type.INTEGER) {
                    bad.add(String.valueOf((long) k.min() - 1));
                    if (k.max() < Integer.MAX_VALUE) {
                        bad.add(String.valueOf((long) k.max() + 1));
                    }
                } else if (k.type() == Key.Type.NUMBER) {
                    bad.add(String.valueOf(k.min() - Math.max(1e-6, Math.abs(k.min()) * 1e-3)));
                    bad.add(String.valueOf(k.max() + Math.max(1e-6, Math.abs(k.max()) * 1e-3)));
                } else if (k.type() == Key.Type.CHOICE) {
                    bad.add("bogus");
                }
                for (String value : bad) {
                    Path p = Files.createTempFile(dir, "c", ".yaml");
                    Files.writeString(p, "networks: {s: {arch: resnet8}}\n");
                    assertThatThrownBy(() -> ConfigLoader.load(p, List.of(prefix + k.name() + "=" + value)))
                            .as("%s%s = %s", prefix, k.name(), value).isInstanceOf(UserError.class)
                            .hasMessageContaining(prefix + k.name());
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(50);
    }

    @Test
    void theReadmesConfigurationReferenceIsTheListing() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String begin = "<!-- options: generated by `distill4j options --markdown`; a test checks it -->\n";
        int a = readme.indexOf(begin);
        int b = readme.indexOf("<!-- /options -->");
        assertThat(a).isNotNegative();
        assertThat(readme.substring(a + begin.length(), b))
                .isEqualTo(ConfigReference.markdown(ConfigReference.sections()));
    }
}
