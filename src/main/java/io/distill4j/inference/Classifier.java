package io.distill4j.inference;

import ai.djl.Device;
import io.distill4j.UserError;
import io.distill4j.export.Exporter;
import io.distill4j.export.ModelCard;
import io.distill4j.export.TrainedNetwork;
import io.distill4j.foreign.ForeignModel;
import io.distill4j.foreign.ModelContract;
import io.distill4j.foreign.ModelFiles;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained classifier for applications: load an exported model (an ONNX or DJL export folder written by
 * {@code distill4j export}) or a checkpoint (a run folder or a {@code .ckpt} file), then classify images.
 * Images are prepared as the model expects (resized, gray or colour, scaled; see {@link ImagePixels}); the model
 * normalises them itself. Not thread-safe: one classifier per thread.
 *
 * <pre>{@code
 * try (Classifier c = Classifier.load(Path.of("runs/main/dlb-seed0-onnx"))) {
 *     Prediction best = c.classify(Path.of("shoe.png"), 1).get(0);
 * }
 * }</pre>
 */
public final class Classifier implements AutoCloseable {
    /** Images per forward pass when classifying many. */
    private static final int BATCH = 64;

    private final ModelCard card;
    private final Runner runner;

    private Classifier(ModelCard card, Runner runner) {
        this.card = card;
        this.runner = runner;
    }

    /**
     * Loads an export folder (ONNX or DJL, told apart by their files), a checkpoint, or a run folder (its best
     * checkpoint, network: the config's first).
     */
    public static Classifier load(Path model) {
        return load(model, null);
    }

    /**
     * A TorchScript ({@code .pt}) or ONNX ({@code .onnx}) file from elsewhere, with its input contract: the model
     * card beside it where there is one, completed by {@code fallback} (the dataset's size, normalisation and
     * classes).
     */
    public static Classifier loadForeign(Path file, ModelContract fallback, String dataset) {
        Path cardFile = ModelFiles.cardOf(file);
        ModelFiles.CardContract c = cardFile == null ? null : ModelFiles.readCard(cardFile);
        ModelContract contract = c == null ? fallback : new ModelContract(
                c.channels() != null ? c.channels() : fallback.channels(),
                c.height() != null ? c.height() : fallback.height(),
                c.width() != null ? c.width() : fallback.width(),
                c.mean() != null ? c.mean() : fallback.mean(), c.std() != null ? c.std() : fallback.std(),
                c.normalizedInside() != null ? c.normalizedInside() : fallback.normalizedInside(),
                c.classNames() != null ? c.classNames() : fallback.classNames());
        ForeignModel model = ModelFiles.open(file, ModelFiles.threads(), Device.cpu());
        String name = file.getFileName().toString();
        ModelCard card = new ModelCard(model.runtime(), name.contains(".") ? name.substring(0, name.lastIndexOf('.'))
                : name, null, contract.classNames(), contract.channels(), contract.height(), contract.width(),
                contract.mean(), contract.std(), dataset, "-", file.toString(), 0, null);
        return new Classifier(card, new ForeignRunner(model, contract));
    }

    /** Whether {@code path} is a model file from elsewhere (TorchScript or ONNX, not a distill4j export folder). */
    public static boolean isForeign(Path path) {
        return Files.isRegularFile(path) && !path.getFileName().toString().equals(Exporter.ONNX_FILE)
                && (ModelFiles.kind(path) == ModelFiles.Kind.TORCHSCRIPT || ModelFiles.kind(path) == ModelFiles.Kind.ONNX);
    }

    /** As {@link #load(Path)}; {@code network} picks a network of a checkpoint (null: the config's first). */
    public static Classifier load(Path model, String network) {
        if (isForeign(model)) { // a model file from elsewhere: its card must say what it takes and gives
            Path cardFile = ModelFiles.cardOf(model);
            ModelFiles.CardContract c = cardFile == null ? null : ModelFiles.readCard(cardFile);
            if (c == null || c.channels() == null || c.height() == null || c.width() == null || c.mean() == null
                    || c.std() == null || c.classNames() == null) {
                throw new UserError(model + ": a model file from elsewhere needs a " + ModelFiles.CARD + " beside it "
                        + "with its input (channels, height, width), normalization (mean, std) and class_names; or "
                        + "evaluate it with eval -c CONFIG --model, which takes them from the config's dataset");
            }
            ModelContract contract = new ModelContract(c.channels(), c.height(), c.width(), c.mean(), c.std(),
                    c.normalizedInside() != null && c.normalizedInside(), c.classNames());
            return loadForeign(model, contract, "-");
        }
        if (Files.isRegularFile(model) && model.getFileName().toString().equals(Exporter.ONNX_FILE)
                && model.getParent() != null) {
            return load(model.getParent(), network); // the .onnx file of an export folder: the folder
        }
        Path cardFile = model.resolve(ModelCard.FILE);
        if (Files.isDirectory(model) && Files.isRegularFile(cardFile)) {
            ModelCard card = ModelCard.read(cardFile);
            if (network != null && !network.equals(card.network())) {
                throw new UserError("--network: " + model + " is an export of network '" + card.network()
                        + "', not '" + network + "'");
            }
            if (Files.isRegularFile(model.resolve(Exporter.ONNX_FILE))) {
                return new Classifier(card, new OnnxRunner(model.resolve(Exporter.ONNX_FILE), card.channels(),
                        card.height(), card.width(), ModelFiles.threads()));
            }
            if (Files.isRegularFile(model.resolve("serving.properties"))) {
                return new Classifier(card, new DjlRunner(model, card.channels(), card.height(), card.width()));
            }
            throw new UserError(model + ": has a model card but neither " + Exporter.ONNX_FILE
                    + " nor serving.properties (an incomplete export: export it again)");
        }
        if (Files.isDirectory(model) && !Files.isDirectory(model.resolve("checkpoints"))) {
            throw new UserError(model + ": not a model (expected an export folder of distill4j export, holding "
                    + ModelCard.FILE + ", or a run folder, or a checkpoint file)");
        }
        TrainedNetwork trained = TrainedNetwork.load(model, network);
        return new Classifier(trained.card(), new CheckpointRunner(trained));
    }

    /** What the model is: classes, input, normalisation, origin. */
    public ModelCard card() { return card; }

    public List<String> classNames() { return card.classNames(); }

    /** Which runtime runs it: {@code onnxruntime}, {@code djl} or {@code distill4j} (a checkpoint). */
    public String runtime() { return runner.name(); }

    /** The {@code k} most probable classes of an image file, most probable first. */
    public List<Prediction> classify(Path imageFile, int k) {
        return classify(ImagePixels.read(imageFile), k);
    }

    /** The {@code k} most probable classes of an image, most probable first. */
    public List<Prediction> classify(BufferedImage image, int k) {
        return classifyAll(List.of(image), k).get(0);
    }

    /** The {@code k} most probable classes of each image, in batches. */
    public List<List<Prediction>> classifyAll(List<BufferedImage> images, int k) {
        int size = card.channels() * card.height() * card.width();
        List<List<Prediction>> out = new ArrayList<>();
        for (int from = 0; from < images.size(); from += BATCH) {
            int n = Math.min(BATCH, images.size() - from);
            float[] pixels = new float[n * size];
            for (int i = 0; i < n; i++) {
                ImagePixels.pixels(images.get(from + i), card.channels(), card.height(), card.width(), pixels, i * size);
            }
            float[] logits = logits(pixels, n);
            float[] probs = softmax(logits, card.numClasses());
            for (int i = 0; i < n; i++) {
                int row = i * card.numClasses();
                int end = row + card.numClasses();
                out.add(top(Arrays.copyOfRange(probs, row, end), Arrays.copyOfRange(logits, row, end), k));
            }
        }
        return out;
    }

    /**
     * Logits (N * classes, row by row) of {@code n} prepared inputs: N * C * H * W floats in [0, 1], channel-first,
     * as {@link ImagePixels#pixels} writes them.
     */
    public float[] logits(float[] pixels, int n) {
        int size = card.channels() * card.height() * card.width();
        if (pixels.length < n * size) {
            throw new IllegalArgumentException(pixels.length + " values for " + n + " inputs of " + card.channels()
                    + "x" + card.height() + "x" + card.width());
        }
        return runner.logits(pixels, n);
    }

    /** Row-wise softmax of (N, classes) logits. */
    public static float[] softmax(float[] logits, int classes) {
        float[] p = new float[logits.length];
        for (int off = 0; off < logits.length; off += classes) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[off + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[off + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                p[off + c] = (float) (Math.exp(logits[off + c] - max) / sum);
            }
        }
        return p;
    }

    private List<Prediction> top(float[] probs, float[] logits, int k) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(probs[b], probs[a]));
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            out.add(new Prediction(order[i], card.classNames().get(order[i]), probs[order[i]], logits[order[i]]));
        }
        return out;
    }

    @Override
    public void close() {
        runner.close();
    }
}
