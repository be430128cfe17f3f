package io.distill4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.distill4j.UserError;
import io.distill4j.inference.Classifier;
import io.distill4j.inference.ImagePixels;
import io.distill4j.inference.Prediction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify image files (PNG, JPEG, BMP; resized and converted to gray or colour as the model "
                + "expects) with an exported model or a checkpoint: the top classes with their probabilities.")
public final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR_OR_CHECKPOINT",
            description = "an export folder (distill4j export), a checkpoint or a run folder")
    Path model;

    @Option(names = "--network", paramLabel = "NAME", description = "with a checkpoint: which network (default: the "
            + "config's first)")
    String network;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images = new ArrayList<>();

    @Option(names = "--top", defaultValue = "3", paramLabel = "K", description = "classes per image (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new UserError("--top: " + top + " is not a class count (give 1 or more)");
        }
        List<BufferedImage> decoded = new ArrayList<>();
        for (Path p : images) {
            decoded.add(ImagePixels.read(p)); // every image readable before the model loads
        }
        try (Classifier classifier = Classifier.load(model, network)) {
            List<List<Prediction>> all = classifier.classifyAll(decoded, top);
            if (json) {
                JsonObject o = new JsonObject();
                o.addProperty("model", model.toString());
                o.addProperty("runtime", classifier.runtime());
                JsonArray list = new JsonArray();
                for (int i = 0; i < images.size(); i++) {
                    JsonObject e = new JsonObject();
                    e.addProperty("image", images.get(i).toString());
                    JsonArray classes = new JsonArray();
                    for (Prediction p : all.get(i)) {
                        JsonObject c = new JsonObject();
                        c.addProperty("class", p.className());
                        c.addProperty("index", p.index());
                        c.addProperty("probability", p.probability());
                        c.addProperty("logit", p.logit());
                        classes.add(c);
                    }
                    e.add("top", classes);
                    list.add(e);
                }
                o.add("predictions", list);
                System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
            } else {
                for (int i = 0; i < images.size(); i++) {
                    StringBuilder sb = new StringBuilder(images.get(i).toString()).append(':');
                    for (Prediction p : all.get(i)) {
                        sb.append(String.format(Locale.ROOT, "  %s %.2f%%", p.className(), 100 * p.probability()));
                    }
                    System.out.println(sb);
                }
            }
        }
        return 0;
    }
}
