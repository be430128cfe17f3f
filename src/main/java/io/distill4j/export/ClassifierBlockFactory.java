package io.distill4j.export;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;

import java.nio.file.Path;
import java.util.Map;

/**
 * Rebuilds a {@link ClassifierBlock} from the arguments of an exported DJL model's {@code serving.properties}
 * ({@code arch}, {@code head}, {@code channels}, {@code classes}, {@code mean}, {@code std}), so that DJL's
 * {@code Criteria} loads the folder: DJL finds this class by the name {@code blockFactory} gives, then reads the
 * parameters into the block.
 */
public final class ClassifierBlockFactory implements BlockFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        int channels = Integer.parseInt(required(arguments, "channels"));
        Object head = arguments.get("head");
        return new ClassifierBlock(required(arguments, "arch"), head == null || head.toString().isBlank() ? null
                : head.toString(), channels, Integer.parseInt(required(arguments, "classes")),
                floats(required(arguments, "mean"), channels), floats(required(arguments, "std"), channels));
    }

    private static String required(Map<String, ?> arguments, String key) {
        Object v = arguments.get(key);
        if (v == null) {
            throw new IllegalArgumentException("serving.properties: no '" + key + "' (written by distill4j export)");
        }
        return v.toString().trim();
    }

    private static float[] floats(String list, int n) {
        String[] parts = list.split("\\s*,\\s*");
        if (parts.length != n) {
            throw new IllegalArgumentException("serving.properties: '" + list + "' has " + parts.length
                    + " values, expected one per channel (" + n + ")");
        }
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = Float.parseFloat(parts[i]);
        }
        return a;
    }
}
