package io.distill4j.methods;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.distill4j.config.ConfigLoader;
import io.distill4j.data.HostBatch;
import io.distill4j.loop.Stepper;
import io.distill4j.run.Run;
import io.distill4j.runfolder.RunFolder;
import io.distill4j.runtime.Net;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Semi-supervised runs ({@code data.labeled_fraction}): for every method, the cross-entropy sees exactly the
 * samples that keep their label. Shown by what the hidden labels can change: rewriting the label of every
 * unlabelled sample leaves each step's losses and the trained weights bit for bit the same, while rewriting the
 * label of one labelled sample of the first batch changes them (so the comparison can fail). Mixed batches
 * (CutMix, compound mixing) carry the partner's label too: a mixed sample counts only when both keep theirs.
 */
class LabelledFractionTest {
    @TempDir
    static Path dir;

    static Path teacher;

    static final String BASE = """
            seed: 3
            data: {name: fashion-mnist-mini, train_subset: 96, labeled_fraction: 0.5, pad_crop: 2, flip: true MIX}
            train: {epochs: 2, batch_size: 32, threads: 1}
            optim: {lr: 0.1}
            """;

    static final Map<String, String> METHODS = Map.ofEntries(
            Map.entry("baseline", "networks: {s: {arch: resnet8}}\nmethod: {name: baseline}\n"),
            Map.entry("kd", "networks: {s: {arch: resnet8}}\nteachers: {t: {arch: resnet8, checkpoint: TEACHER}}\n"
                    + "method: {name: kd}\n"),
            Map.entry("meal-v2", "networks: {s: {arch: resnet8}}\nteachers: {t1: {arch: resnet8, checkpoint: "
                    + "TEACHER}, t2: {arch: resnet8, checkpoint: TEACHER}}\n"
                    + "method: {name: meal-v2, meal-v2: {hard_label_weight: 0.5}}\n"),
            Map.entry("dml", "networks: {p1: {arch: resnet8}, p2: {arch: resnet8}}\nmethod: {name: dml}\n"),
            Map.entry("dml-sequential", "networks: {p1: {arch: resnet8}, p2: {arch: resnet8}}\n"
                    + "method: {name: dml, dml: {update: sequential}}\n"),
            Map.entry("okdcr", "networks: {p1: {arch: resnet8}, p2: {arch: resnet8}}\nmethod: {name: okdcr}\n"),
            Map.entry("dlb", "networks: {s: {arch: resnet8}}\nmethod: {name: dlb}\n"),
            Map.entry("dlb-joint", "networks: {s: {arch: resnet8}}\nmethod: {name: dlb, dlb: {forward: joint}}\n"),
            Map.entry("dlb-cutmix", "networks: {s: {arch: resnet8}}\nmethod: {name: dlb}\n# MIX cutmix\n"),
            Map.entry("stochastic-depth", "networks: {s: {arch: resnet8}}\nmethod: {name: stochastic-depth}\n"),
            Map.entry("st", "networks: {s: {arch: resnet8}}\nmethod: {name: st}\n"),
            Map.entry("mkf", "networks: {s: {arch: resnet8}}\nmethod: {name: mkf, mkf: {groups: 2}}\n# MIX compound\n"),
            Map.entry("mkf-every-step", "networks: {s: {arch: resnet8}}\n"
                    + "method: {name: mkf, mkf: {groups: 3, schedule: every_step}}\n# MIX compound\n"));

    @BeforeAll
    static void trainTeacher() throws IOException {
        Path cfg = dir.resolve("teacher.yaml");
        Files.writeString(cfg, "seed: 1\ndata: {name: fashion-mnist-mini, train_subset: 64}\n"
                + "train: {epochs: 1, batch_size: 32, threads: 1}\nnetworks: {t: {arch: resnet8}}\n");
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(run, dir.resolve("teacher"), new PrintStream(new ByteArrayOutputStream())).train(false, null);
        }
        teacher = dir.resolve("teacher/checkpoints/last.ckpt");
    }

    /** Four steps' losses, then every trained parameter, of the method on labels rewritten by {@code relabel}. */
    private static List<Object> train(String method, Consumer<Run> relabel) throws IOException {
        String spec = METHODS.get(method);
        String mix = spec.contains("# MIX ") ? ", mix: " + spec.substring(spec.indexOf("# MIX ") + 6).trim()
                + ", mix_warmup: 0" : "";
        Path cfg = dir.resolve(method + ".yaml");
        Files.writeString(cfg, BASE.replace(" MIX", mix) + spec.replace("TEACHER", teacher.toString()));
        List<Object> out = new ArrayList<>();
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            relabel.accept(run);
            Stepper d = new Stepper(run);
            for (int s = 0; s < 4; s++) {
                out.add(d.step().toString());
            }
            for (Net n : run.optimized()) {
                for (Pair<String, Parameter> p : n.block().getParameters()) {
                    out.add(List.of(p.getValue().getArray().toFloatArray()).stream()
                            .map(Arrays::toString).toList());
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "kd", "meal-v2", "dml", "dml-sequential", "okdcr", "dlb", "dlb-joint",
            "dlb-cutmix", "stochastic-depth", "st", "mkf", "mkf-every-step"})
    void theCrossEntropySeesExactlyTheLabelledSamples(String method) throws IOException {
        List<Object> asGiven = train(method, run -> {});
        List<Object> hiddenRewritten = train(method, run -> {
            boolean[] labelled = run.labelled();
            assertThat(labelled).as("a semi-supervised run keeps a mask").isNotNull();
            int[] labels = run.train().labels();
            for (int i = 0; i < labels.length; i++) {
                if (!labelled[i]) {
                    labels[i] = (labels[i] + 1) % run.train().numClasses();
                }
            }
        });
        assertThat(hiddenRewritten).as("%s: the labels of unlabelled samples must not matter", method)
                .isEqualTo(asGiven);
        List<Object> visibleRewritten = train(method, run -> {
            HostBatch first = run.trainLoader().batch(0, 0);
            for (int k = 0; k < first.size(); k++) {
                int i = first.indices()[k];
                // a sample the cross-entropy sees: labelled, and when mixed, its partner labelled too
                if (run.labelled()[i] && (!first.mixed() || run.labelled()[first.mix().partnerIndices()[k]])) {
                    run.train().labels()[i] = (run.train().labels()[i] + 1) % run.train().numClasses();
                    return;
                }
            }
            throw new AssertionError("the first step sees no labelled sample");
        });
        assertThat(visibleRewritten).as("%s: the label of a labelled sample must matter", method)
                .isNotEqualTo(asGiven);
    }
}
