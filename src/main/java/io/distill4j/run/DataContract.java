package io.distill4j.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.distill4j.config.RunConfig;
import io.distill4j.data.ImageDataset;
import io.distill4j.data.Normalization;

import java.util.ArrayList;
import java.util.List;

/**
 * What a network of a run takes and gives: images of {@code channels x height x width}, normalised by
 * {@code normalization}, and logits over {@code classNames}. A run's checkpoints carry it (meta {@code data}), so
 * export, eval and bench read it from there or from the config's data alone, without building a run.
 */
public record DataContract(int channels, int height, int width, Normalization normalization, List<String> classNames) {
    public DataContract {
        classNames = List.copyOf(classNames);
    }

    public int classes() { return classNames.size(); }

    /** The contract of a training split with its normalisation. */
    public static DataContract of(ImageDataset train, Normalization norm) {
        return new DataContract(train.channels(), train.height(), train.width(), norm, train.classNames());
    }

    /** The contract of a config's data: the data alone is read (no networks, teachers or method are built). */
    public static DataContract of(RunConfig cfg) {
        DataPipeline data = DataPipeline.build(cfg);
        return of(data.train(), data.normalization());
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("channels", channels);
        o.addProperty("height", height);
        o.addProperty("width", width);
        o.add("mean", floats(normalization.mean()));
        o.add("std", floats(normalization.std()));
        JsonArray names = new JsonArray();
        classNames.forEach(names::add);
        o.add("class_names", names);
        return o;
    }

    /** The contract a checkpoint's meta carries, or null in a checkpoint written before it did. */
    public static DataContract fromMeta(JsonObject meta) {
        if (!meta.has("data")) {
            return null;
        }
        JsonObject o = meta.getAsJsonObject("data");
        List<String> names = new ArrayList<>();
        o.getAsJsonArray("class_names").forEach(e -> names.add(e.getAsString()));
        return new DataContract(o.get("channels").getAsInt(), o.get("height").getAsInt(), o.get("width").getAsInt(),
                new Normalization(floats(o.getAsJsonArray("mean")), floats(o.getAsJsonArray("std"))), names);
    }

    private static JsonArray floats(float[] v) {
        JsonArray a = new JsonArray();
        for (float f : v) {
            a.add(f);
        }
        return a;
    }

    private static float[] floats(JsonArray a) {
        float[] v = new float[a.size()];
        int i = 0;
        for (JsonElement e : a) {
            v[i++] = e.getAsFloat();
        }
        return v;
    }
}
