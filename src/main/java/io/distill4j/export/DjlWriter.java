package io.distill4j.export;

import ai.djl.Device;
import ai.djl.Model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A {@link ClassifierBlock} as a DJL model folder: {@code model-0000.params} (DJL's parameter file, written by
 * {@code Model.save}), {@code serving.properties} naming {@link ClassifierBlockFactory} (which rebuilds the block)
 * and DJL's image classification translator with its arguments (size, gray or colour, softmax, the class list
 * {@code synset.txt}), so that {@code Criteria.builder().setTypes(Image.class, Classifications.class)
 * .optModelPath(dir)} loads it with nothing else said; with a {@code NoopTranslator} ({@code NDList} in and out) it
 * returns the logits. The translator only scales pixels to [0, 1]: the block normalises them itself.
 */
final class DjlWriter {
    static final String MODEL_NAME = "model";
    static final String SYNSET = "synset.txt";

    private DjlWriter() {}

    static void write(ClassifierBlock block, ModelCard card, Path dir) throws IOException {
        try (Model model = Model.newInstance(MODEL_NAME, Device.cpu(), "PyTorch")) {
            model.setBlock(block);
            model.setProperty("Epoch", "0");
            model.save(dir, MODEL_NAME);
        }
        Files.write(dir.resolve(SYNSET), card.classNames(), StandardCharsets.UTF_8);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("engine", "PyTorch");
        p.put("option.modelName", MODEL_NAME);
        p.put("blockFactory", ClassifierBlockFactory.class.getName());
        p.put("arch", card.arch());
        if (card.head() != null) {
            p.put("head", card.head());
        }
        p.put("channels", Integer.toString(card.channels()));
        p.put("classes", Integer.toString(card.numClasses()));
        p.put("mean", join(card.mean()));
        p.put("std", join(card.std()));
        p.put("translatorFactory", "ai.djl.modality.cv.translator.ImageClassificationTranslatorFactory");
        p.put("width", Integer.toString(card.width()));
        p.put("height", Integer.toString(card.height()));
        p.put("resize", "true");
        p.put("flag", card.channels() == 1 ? "GRAYSCALE" : "COLOR");
        p.put("applySoftmax", "true");
        p.put("synsetFileName", SYNSET);
        String text = "# DJL model folder written by " + ModelCard.PRODUCER + " export: " + card.arch() + " '"
                + card.network() + "' from " + card.checkpoint().replace('\n', ' ') + "\n"
                + "# input: " + ModelCard.INPUT + "; see " + ModelCard.FILE + "\n"
                + p.entrySet().stream().map(e -> e.getKey() + "=" + escape(e.getValue()))
                .collect(Collectors.joining("\n")) + "\n";
        Files.writeString(dir.resolve("serving.properties"), text, StandardCharsets.ISO_8859_1);
    }

    private static String join(float[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "" : ",").append(a[i]);
        }
        return sb.toString();
    }

    /** java.util.Properties escaping of a value: backslashes, and characters outside Latin-1 as unicode escapes. */
    private static String escape(String v) {
        StringBuilder sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c > 0xff || c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
