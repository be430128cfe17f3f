package io.distill4j.methods.terms;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distill4j.config.ConfigNode;
import io.distill4j.knowledge.Teacher;
import io.distill4j.methods.MethodSetup;
import io.distill4j.runtime.Net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the feature methods ({@code fitnet}, {@code at}, {@code crd}) share: stage names as the config gives them,
 * checked against the networks' stage names, and the shapes of the maps, found
 * by one inference-mode forward of a zero image before training.
 */
public final class FeatureStages {
    private FeatureStages() {}

    /** A comma-separated list of stage names. */
    public static List<String> parse(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /** The section of the chosen method's options, for errors that name a key. */
    public static ConfigNode section(MethodSetup setup, String method) {
        return setup.run().method().child(method);
    }

    /** Every name must be a stage of {@code available} (whose owner is {@code what}); else one line naming the key. */
    public static void require(TermSite site, String key, List<String> names, Map<String, String> available,
                               String what) {
        if (names.isEmpty()) {
            throw site.error(key, "names no stage (stages of " + what + ": " + String.join(", ", available.keySet())
                    + ")");
        }
        for (String n : names) {
            if (!available.containsKey(n)) {
                throw site.error(key, "'" + n + "' is not a stage of " + what + " (its stages: "
                        + String.join(", ", available.keySet()) + "; list them with: distill4j methods --stages)");
            }
        }
    }

    /** The teacher must give feature maps: a distill4j network, or a model whose card names its feature outputs. */
    public static Teacher requireFeatures(Teacher t) {
        if (t.stageNames().isEmpty()) {
            throw Teacher.noFeatures(t);
        }
        return t;
    }

    /** The input shape (1, C, H, W) a network was built for. */
    public static Shape input(Net n) {
        return n.block().describeInput().get(0).getValue();
    }

    /** The shapes of the student's maps of {@code stages}, then of its pooled features. */
    public static List<Shape> studentShapes(Net student, List<String> stages) {
        try (NDManager m = student.manager().newSubManager()) {
            return shapes(student.forward(m.zeros(input(student)), false, stages));
        }
    }

    /** The shapes of the teacher's maps of {@code stages}, then of its pooled features, for the student's input. */
    public static List<Shape> teacherShapes(Teacher teacher, Net student, List<String> stages) {
        try (NDManager m = student.manager().newSubManager()) {
            return shapes(teacher.features(m.zeros(input(student)), stages));
        }
    }

    private static List<Shape> shapes(NDList out) {
        List<Shape> s = new ArrayList<>();
        for (int i = 2; i < out.size(); i++) {
            s.add(out.get(i).getShape());
        }
        s.add(out.get(1).getShape());
        return s;
    }
}
