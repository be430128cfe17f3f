package io.distill4j.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A frozen teacher under {@code teachers: NAME:}. Either {@code model: PATH} (a TorchScript {@code .pt} file, an
 * ONNX {@code .onnx} file, an export folder of {@code distill4j export}, a distill4j run folder or {@code .ckpt}),
 * or, as before, {@code checkpoint:} with {@code arch:} (a checkpoint written by {@code distill4j train}).
 *
 * @param name       the teacher's name in the run
 * @param arch       its architecture (verified against the checkpoint); null for a model from elsewhere, or a
 *                   distill4j checkpoint under {@code model:}, whose config names it
 * @param checkpoint the checkpoint file under {@code checkpoint:} (null with {@code model:})
 * @param network    which network of a distill4j checkpoint (null: the only one, or the config's first)
 * @param model      the model under {@code model:} (null with {@code checkpoint:})
 * @param input      the input contract given in the config ({@code input:}), or null: the model card's, else the
 *                   dataset's
 * @param classes    the model's class names in output order ({@code classes:} a list, or a file with one name per
 *                   line), or null: the model card's, else the dataset's
 */
public record TeacherConfig(String name, String arch, String checkpoint, String network, String model, Input input,
                            List<String> classes) {
    /**
     * An input contract given in the config: each part null where not given.
     *
     * @param normalization {@code caller} (the model expects normalised pixels) or {@code inside} (it takes [0, 1]
     *                      pixels and normalises them itself)
     */
    public record Input(Integer channels, Integer height, Integer width, float[] mean, float[] std,
                        String normalization) {}

    /** A distill4j checkpoint teacher, as the config's {@code checkpoint:} and {@code arch:} name it. */
    public static TeacherConfig ofCheckpoint(String name, String arch, String checkpoint, String network) {
        return new TeacherConfig(name, arch, checkpoint, network, null, null, null);
    }

    /** Where the teacher comes from: the model path, else the checkpoint. */
    public String source() { return model != null ? model : checkpoint; }

    /** The keys of {@code teachers: NAME:}. */
    public static final Section SECTION = Section.of("teachers.NAME", "one frozen teacher: model: PATH, or "
                    + "checkpoint: with arch:",
            Key.text("model", "none", "a TorchScript .pt, an ONNX .onnx, an export folder, a run folder or a .ckpt"),
            Key.text("checkpoint", "none", "a checkpoint written by distill4j train (with arch:)"),
            Key.text("arch", "none", "the architecture of checkpoint: (verified against it); with model:, optional"),
            Key.text("network", "none", "which network of a distill4j checkpoint (none: the only one, or the "
                    + "config's first)"),
            Key.section("input", "the model's input contract (teachers.NAME.input; none: the model card's, else "
                    + "the dataset's)"),
            Key.text("classes", "none", "the model's class names in output order: a list, or a file with one name a "
                    + "line (none: the model card's, else the dataset's)"));

    /** The keys of {@code teachers: NAME: input:}. */
    public static final Section INPUT = Section.of("teachers.NAME.input", "a foreign teacher's input contract, each "
                    + "part optional",
            Key.integer("channels", "none", 1, 3, "1 (gray) or 3 (RGB)"),
            Key.integer("height", "none", 1, 1 << 14, "input height"),
            Key.integer("width", "none", 1, 1 << 14, "input width"),
            Key.numbers("mean", "none", "per-channel mean of the normalisation"),
            Key.numbers("std", "none", "per-channel standard deviation (positive)"),
            Key.choice("normalization", "caller", List.of("caller", "inside"), "caller: the model expects normalised "
                    + "pixels; inside: it takes [0, 1] pixels and normalises them itself"));

    static TeacherConfig from(String name, ConfigNode n) {
        if (n.has("model") == n.has("checkpoint")) {
            throw n.error(n.has("model") ? "checkpoint" : "model", "give a teacher either model: PATH (a TorchScript "
                    + ".pt, an ONNX .onnx, an export folder, a run folder or a .ckpt) or checkpoint: with arch:, "
                    + "not " + (n.has("model") ? "both" : "neither"));
        }
        if (n.has("checkpoint")) {
            return new TeacherConfig(name, SECTION.key("arch").requireText(n),
                    SECTION.key("checkpoint").requireText(n), SECTION.key("network").readText(n), null, null, null);
        }
        Input input = null;
        if (n.has("input")) {
            ConfigNode in = n.child("input");
            Long channels = INPUT.key("channels").readOptionalInteger(in);
            if (channels != null && channels == 2) {
                throw in.error("channels", "2 is not 1 (gray) or 3 (RGB)");
            }
            Long height = INPUT.key("height").readOptionalInteger(in);
            Long width = INPUT.key("width").readOptionalInteger(in);
            input = new Input(channels == null ? null : channels.intValue(), height == null ? null : height.intValue(),
                    width == null ? null : width.intValue(), floats(in, "mean"), floats(in, "std"),
                    in.has("normalization") ? INPUT.key("normalization").readChoice(in) : null);
            if (input.std() != null) {
                for (float s : input.std()) {
                    if (!(s > 0)) {
                        throw in.error("std", "every standard deviation must be positive, got " + s);
                    }
                }
            }
        }
        List<String> classes = null;
        if (n.has("classes")) {
            Object raw = n.raw("classes");
            if (raw instanceof List<?> list) {
                classes = new ArrayList<>();
                for (Object o : list) {
                    classes.add(String.valueOf(o));
                }
                n.resolvedView().put("classes", classes);
            } else {
                String file = SECTION.key("classes").readText(n);
                try {
                    classes = Files.readAllLines(Path.of(file)).stream()
                            .map(String::strip).filter(s -> !s.isEmpty()).toList();
                } catch (IOException e) {
                    throw n.error("classes", file + " cannot be read (give a list of class names, or a file with "
                            + "one name per line): " + e.getMessage());
                }
            }
        }
        return new TeacherConfig(name, n.has("arch") ? SECTION.key("arch").readText(n) : null, null,
                SECTION.key("network").readText(n), SECTION.key("model").requireText(n), input, classes);
    }

    private static float[] floats(ConfigNode n, String key) {
        if (!n.has(key)) {
            return null;
        }
        List<Double> d = INPUT.key(key).readNumbers(n, List.of());
        float[] f = new float[d.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = d.get(i).floatValue();
        }
        return f;
    }
}
