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

    static TeacherConfig from(String name, ConfigNode n) {
        if (n.has("model") == n.has("checkpoint")) {
            throw n.error(n.has("model") ? "checkpoint" : "model", "give a teacher either model: PATH (a TorchScript "
                    + ".pt, an ONNX .onnx, an export folder, a run folder or a .ckpt) or checkpoint: with arch:, "
                    + "not " + (n.has("model") ? "both" : "neither"));
        }
        if (n.has("checkpoint")) {
            return new TeacherConfig(name, n.requireString("arch"), n.requireString("checkpoint"),
                    n.string("network", null), null, null, null);
        }
        Input input = null;
        if (n.has("input")) {
            ConfigNode in = n.child("input");
            Long channels = in.optionalInteger("channels", 1, 3);
            if (channels != null && channels == 2) {
                throw in.error("channels", "2 is not 1 (gray) or 3 (RGB)");
            }
            Long height = in.optionalInteger("height", 1, 1 << 14);
            Long width = in.optionalInteger("width", 1, 1 << 14);
            input = new Input(channels == null ? null : channels.intValue(), height == null ? null : height.intValue(),
                    width == null ? null : width.intValue(), floats(in, "mean"), floats(in, "std"),
                    in.has("normalization") ? in.choice("normalization", "caller", List.of("caller", "inside")) : null);
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
                String file = n.string("classes", null);
                try {
                    classes = Files.readAllLines(Path.of(file)).stream()
                            .map(String::strip).filter(s -> !s.isEmpty()).toList();
                } catch (IOException e) {
                    throw n.error("classes", file + " cannot be read (give a list of class names, or a file with "
                            + "one name per line): " + e.getMessage());
                }
            }
        }
        return new TeacherConfig(name, n.has("arch") ? n.string("arch", null) : null, null,
                n.string("network", null), n.requireString("model"), input, classes);
    }

    private static float[] floats(ConfigNode n, String key) {
        if (!n.has(key)) {
            return null;
        }
        List<Double> d = n.numbers(key, List.of());
        float[] f = new float[d.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = d.get(i).floatValue();
        }
        return f;
    }
}
