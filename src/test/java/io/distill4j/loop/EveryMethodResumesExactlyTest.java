package io.distill4j.loop;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.RunFiles;
import io.distill4j.config.ConfigLoader;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kill-and-resume for every method, including those with several networks, teachers, networks of their own
 * and method state: a run stopped at a seeded random step, with the debris of a write that a kill cut short
 * left next to its checkpoint, and resumed, ends with the same weights (every network the run optimizes, the
 * method's own included) and the same metrics as an uninterrupted run. Exact on CPU at a fixed thread count.
 */
class EveryMethodResumesExactlyTest {
    @TempDir
    static Path dir;

    static Path teacher;

    static final String BASE = """
            seed: 7
            data: {name: fashion-mnist-mini, train_subset: 192, pad_crop: 2, flip: true}
            train: {epochs: 2, batch_size: 32, eval_batch_size: 500, log_every: 1, threads: 1}
            optim: {lr: 0.05, schedule: cosine, warmup_epochs: 0.5}
            """;

    static final Map<String, String> METHODS = new HashMap<>(Map.of(
            "baseline", "networks: {a: {arch: resnet8}, b: {arch: resnet8}}\nmethod: {name: baseline}\n",
            "kd", "networks: {student: {arch: resnet8}}\nteachers: {t: {arch: resnet8, checkpoint: TEACHER}}\n"
                    + "method: {name: kd}\n",
            "meal-v2", "networks: {student: {arch: resnet8}}\nteachers: {t1: {arch: resnet8, checkpoint: TEACHER}, "
                    + "t2: {arch: resnet8, checkpoint: TEACHER}}\nmethod: {name: meal-v2, meal-v2: {hard_label_weight: 0.5}}\n",
            "dml-simultaneous", "networks: {p1: {arch: resnet8}, p2: {arch: resnet8}}\nmethod: {name: dml}\n",
            "dml-sequential", "networks: {p1: {arch: resnet8}, p2: {arch: resnet8}}\n"
                    + "method: {name: dml, dml: {update: sequential}}\n",
            "okdcr", "networks: {p1: {arch: resnet8}, p2: {arch: resnet8}}\nmethod: {name: okdcr}\n",
            "dlb-separate", "networks: {student: {arch: resnet8}}\nmethod: {name: dlb}\n",
            "dlb-joint", "networks: {student: {arch: resnet8}}\nmethod: {name: dlb, dlb: {forward: joint}}\n",
            "stochastic-depth", "networks: {student: {arch: resnet8}}\nmethod: {name: stochastic-depth}\n",
            "st", "networks: {student: {arch: resnet8}}\nmethod: {name: st}\n# with BatchNorm re-estimation\n"));

    static {
        METHODS.put("mkf", "networks: {student: {arch: resnet8}}\nmethod: {name: mkf, mkf: {groups: 2}}\n# with mixing\n");
        METHODS.put("mkf-every-step", "networks: {student: {arch: resnet8}}\nmethod: {name: mkf, mkf: {groups: 3, "
                + "schedule: every_step, log_knowledge_age: true}}\n# with mixing\n");
        String teacher = "teachers: {t: {arch: resnet8, checkpoint: TEACHER}}\n";
        METHODS.put("dkd", "networks: {student: {arch: resnet8}}\n" + teacher + "method: {name: dkd, dkd: {warmup: 2}}\n");
        METHODS.put("fitnet-two-stage", "networks: {student: {arch: resnet8x2}}\n" + teacher
                + "method: {name: fitnet, fitnet: {two_stage: true, hint_epochs: 1}}\n");
        METHODS.put("fitnet", "networks: {student: {arch: resnet8x2}}\n" + teacher + "method: {name: fitnet}\n");
        METHODS.put("at", "networks: {student: {arch: resnet8}}\n" + teacher + "method: {name: at}\n");
        METHODS.put("crd", "networks: {student: {arch: resnet8}}\n" + teacher
                + "method: {name: crd, crd: {nce_k: 64, feat_dim: 16}}\n");
        METHODS.put("kd-standardized", "networks: {student: {arch: resnet8}}\n" + teacher
                + "method: {name: kd, kd: {logit_standardization: true, temperature: 2}}\n");
        METHODS.put("dkd-standardized", "networks: {student: {arch: resnet8}}\n" + teacher
                + "method: {name: dkd, dkd: {logit_standardization: true, warmup: 2}}\n");
        METHODS.put("dist", "networks: {student: {arch: resnet8}}\n" + teacher + "method: {name: dist}\n");
        METHODS.put("nkd", "networks: {student: {arch: resnet8}}\n" + teacher + "method: {name: nkd}\n");
        METHODS.put("wttm", "networks: {student: {arch: resnet8}}\n" + teacher + "method: {name: wttm}\n");
        METHODS.put("mlkd", "networks: {student: {arch: resnet8}}\n" + teacher + "method: {name: mlkd, mlkd: {warmup: 1, "
                + "warmup_by: step}}\n# a strong view\n");
        METHODS.put("ctkd", "networks: {student: {arch: resnet8}}\n" + teacher + "method: {name: ctkd, ctkd: "
                + "{curriculum_epochs: 1, curriculum_by: step}}\n# a learned temperature\n");
        METHODS.put("dlb-validation", "networks: {student: {arch: resnet8}}\nmethod: {name: dlb}\n# with validation\n");
    }

    @BeforeAll
    static void trainTeacher() throws IOException {
        Path cfg = dir.resolve("teacher.yaml");
        Files.writeString(cfg, BASE.replace("epochs: 2", "epochs: 1") + "networks: {t: {arch: resnet8}}\n");
        train(cfg, dir.resolve("teacher"), false, null);
        teacher = dir.resolve("teacher/checkpoints/last.ckpt");
    }

    /** Every parameter of every network the run optimizes (the method's own included), in order. */
    static List<float[]> train(Path cfg, Path out, boolean resume, Long stopAfter) {
        try (Run run = Run.build(ConfigLoader.load(cfg, List.of()))) {
            new RunFolder(run, out, new PrintStream(new ByteArrayOutputStream())).train(resume, stopAfter);
            List<float[]> w = new ArrayList<>();
            for (Net n : run.optimized()) {
                for (Pair<String, Parameter> p : n.block().getParameters()) {
                    w.add(p.getValue().getArray().toFloatArray());
                }
            }
            return w;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "kd", "meal-v2", "dml-simultaneous", "dml-sequential", "okdcr", "dlb-separate",
            "dlb-joint", "stochastic-depth", "st", "mkf", "mkf-every-step", "dlb-validation", "dkd", "fitnet", "fitnet-two-stage", "at",
            "crd", "kd-standardized", "dkd-standardized", "dist", "nkd", "wttm", "mlkd", "ctkd"})
    void stoppedAtARandomStepWithAHalfWrittenCheckpointAndResumed(String method) throws IOException {
        Path cfg = dir.resolve(method + ".yaml");
        String base = METHODS.get(method).contains("re-estimation") ? BASE.replace("threads: 1}",
                "threads: 1, bn_recalibration: 2}") : BASE;
        if (METHODS.get(method).contains("with mixing")) { // compound mixing from the second epoch
            base = base.replace("flip: true}", "flip: true, mix: compound, mix_warmup: 0.5}");
        }
        if (METHODS.get(method).contains("with validation")) { // selection state and the train fit resume too
            base = base.replace("flip: true}", "flip: true, validation: 300}").replace("threads: 1}",
                    "threads: 1, train_fit: true}");
        }
        Files.writeString(cfg, base + METHODS.get(method).replace("TEACHER", teacher.toString()));
        List<float[]> straight = train(cfg, dir.resolve(method + "-straight"), false, null);
        int steps = 2 * (192 / 32);
        long stopAt = 1 + new SplittableRandom(method.hashCode()).nextInt(steps - 1); // seeded: replayable
        Path out = dir.resolve(method + "-stopped");
        train(cfg, out, false, stopAt);
        // a kill during the next checkpoint write leaves a partial temporary file behind
        Files.write(out.resolve("checkpoints").resolve("last.ckpt1234567.tmp"), new byte[] {1, 2, 3});
        List<float[]> resumed = train(cfg, out, true, null);
        assertThat(resumed).as("%s stopped at step %d", method, stopAt).hasSameSizeAs(straight);
        for (int i = 0; i < straight.size(); i++) {
            assertThat(resumed.get(i)).as("%s stopped at step %d: parameter %d", method, stopAt, i)
                    .containsExactly(straight.get(i));
        }
        assertThat(RunFiles.metricsWithoutTiming(out))
                .isEqualTo(RunFiles.metricsWithoutTiming(dir.resolve(method + "-straight")));
        assertThat(summaryWithoutTiming(out)).isEqualTo(summaryWithoutTiming(dir.resolve(method + "-straight")));
        // where the runs ran: one entry for the straight run, two (start, resume at the checkpoint's step) here
        var machines = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonArray("machines");
        assertThat(machines).hasSize(2);
        assertThat(machines.get(1).getAsJsonObject().get("from_step").getAsLong()).isPositive();
        assertThat(machines.get(1).getAsJsonObject().get("kernels"))
                .isEqualTo(machines.get(0).getAsJsonObject().get("kernels"));
        assertThat(out.resolve("checkpoints").resolve("last.ckpt1234567.tmp")).as("removed by the next write")
                .doesNotExist();
    }

    /** summary.json without what depends on the clock, and without the machines (when, and how many starts). */
    static JsonObject summaryWithoutTiming(Path run) throws IOException {
        var s = JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject();
        s.remove("machines");
        s.remove("wall_seconds");
        s.remove("train_images_per_sec");
        s.getAsJsonObject("cost").remove("train_seconds");
        s.getAsJsonObject("cost").remove("images_per_sec");
        return s;
    }
}
