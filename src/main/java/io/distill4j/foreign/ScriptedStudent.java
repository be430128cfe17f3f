package io.distill4j.foreign;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.distill4j.UserError;
import io.distill4j.models.Network;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A student scripted in PyTorch ({@code torch.jit.script}, then {@code torch.jit.save}) and trained by distill4j
 * (README.md, "Your own student"): DJL's PyTorch engine loads the module with trainable parameters, and
 * switches it between training and inference mode on each forward. Its parameters are the module's (every one
 * trained, with the run's SGD: the same learning rate, momentum and weight decay on each, as for distill4j's
 * networks); its buffers (BatchNorm's running statistics) live in the module, so a checkpoint carries the whole module
 * ({@link #wholeState}) and a restore swaps it in ({@link #restoreWholeState}). It gives logits only: no stage maps, no pooled
 * features, no residual units.
 *
 * <p>Checked when loaded, one line each: a module traced by {@code torch.jit.trace} whose training-mode branches were
 * fixed at trace time (its code calls BatchNorm or dropout with a constant mode and never reads
 * {@code self.training}); no trainable parameter; a parameter that is not float32; outputs that are not
 * {@code (N, classes)} for the data's images.
 */
public final class ScriptedStudent extends Network {
    private final Path file;
    private final NDManager manager;
    private final int classes;
    private PtSymbolBlock module;

    private ScriptedStudent(Path file, NDManager manager, PtSymbolBlock module, int classes) {
        super("torchscript:" + file.getFileName(), classes);
        this.file = file;
        this.manager = manager;
        this.module = module;
        this.classes = classes;
    }

    /**
     * Loads and checks {@code file} for images (C, H, W) of a {@code classes}-class data set; {@code key} names the
     * config key in errors.
     */
    public static ScriptedStudent load(Path file, String key, NDManager manager, int channels, int height, int width,
                                       List<String> classNames) {
        ModelFiles.requireNonEmpty(file);
        int classes = classNames.size();
        checkCard(file, channels, height, width, classNames);
        String traced = tracedModeOps(file);
        if (traced != null) {
            throw new UserError(file + " (" + key + "): a module made by torch.jit.trace: its code runs " + traced
                    + " in the mode it was traced in, so it cannot be trained; script it with torch.jit.script(model) "
                    + "and torch.jit.save");
        }
        PtSymbolBlock m = loadTrainable(file, manager);
        ScriptedStudent s = new ScriptedStudent(file, manager, m, classes);
        int trainable = 0;
        for (Pair<String, Parameter> p : m.getDirectParameters()) {
            NDArray a = p.getValue().getArray();
            if (a.getDataType() != DataType.FLOAT32) {
                throw new UserError(file + " (" + key + "): parameter '" + p.getKey() + "' is " + a.getDataType()
                        + ", distill4j trains float32 (model.float() before torch.jit.script)");
            }
            trainable += p.getValue().requiresGradient() ? 1 : 0;
        }
        if (trainable == 0) {
            throw new UserError(file + " (" + key + "): the module has no trainable parameter (nothing for a student "
                    + "to learn: its tensors are buffers or have requires_grad False)");
        }
        try (NDManager probe = manager.newSubManager()) {
            JniUtils.enableInferenceMode(m);
            NDList out = m.forward(new ParameterStore(probe, false), new NDList(probe.zeros(
                    new Shape(2, channels, height, width))), false);
            Shape shape = out.get(0).getShape();
            if (shape.dimension() != 2 || shape.get(0) != 2 || shape.get(1) != classes) {
                throw new UserError(file + " (" + key + "): its first output for 2 images of " + channels + "x" + height
                        + "x" + width + " is " + shape + ", expected (2, " + classes + "): logits of the data set's "
                        + classes + " classes");
            }
        } catch (EngineException e) {
            throw new UserError(file + " (" + key + "): the module does not take images of " + channels + "x" + height
                    + "x" + width + " (libtorch says: " + ModelFiles.firstLine(e.getMessage()) + ")");
        }
        return s;
    }

    /**
     * A card beside the module ({@value ModelFiles#CARD}, as for teachers from elsewhere) must agree with the data the
     * student trains on: the image shape, the class names in order, and who normalises (distill4j feeds a student
     * the run's normalised images, so a module that normalises inside would do it twice).
     */
    static void checkCard(Path file, int channels, int height, int width, List<String> classNames) {
        Path card = ModelFiles.cardOf(file);
        if (card == null) {
            return;
        }
        ModelFiles.CardContract c = ModelFiles.readCard(card);
        if (c.channels() != null && c.channels() != channels || c.height() != null && c.height() != height
                || c.width() != null && c.width() != width) {
            throw new UserError(card + ": input: " + c.channels() + "x" + c.height() + "x" + c.width() + ", but the "
                    + "run's images are " + channels + "x" + height + "x" + width + " (a student trains on the run's "
                    + "images: set data.image_size, or use a module made for them)");
        }
        if (Boolean.TRUE.equals(c.normalizedInside())) {
            throw new UserError(card + ": normalization.applied: the module normalises inside, and distill4j gives "
                    + "a student the run's normalised images; script the module without its normalisation");
        }
        if (c.classNames() != null) {
            for (int i = 0; i < Math.max(c.classNames().size(), classNames.size()); i++) {
                String a = i < c.classNames().size() ? c.classNames().get(i) : "(none)";
                String b = i < classNames.size() ? classNames.get(i) : "(none)";
                if (!a.equals(b)) {
                    throw new UserError(card + ": class_names: class " + i + " is '" + a + "' on the card and '" + b
                            + "' in the data (a student's outputs are the data's classes, in its order)");
                }
            }
        }
    }

    private static PtSymbolBlock loadTrainable(Path file, NDManager manager) {
        try {
            return JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], true);
        } catch (EngineException | IllegalArgumentException e) {
            throw new UserError(file + ": " + TorchScriptModel.why(e.getMessage()));
        }
    }

    /**
     * Where a module's mode is frozen: the first mode-dependent operation (batch_norm, dropout, instance_norm) of
     * its code when no code file reads {@code self.training} (what {@code torch.jit.trace} writes); null for a
     * scripted module, or one with no mode-dependent operation (then tracing froze nothing).
     */
    static String tracedModeOps(Path file) {
        boolean readsTraining = false;
        String modeOp = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (!e.getName().contains("/code/") || !e.getName().endsWith(".py")) {
                    continue;
                }
                String code = new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
                readsTraining |= code.contains("self.training");
                for (String op : new String[] {"torch.batch_norm(", "torch.dropout(", "torch.feature_dropout(",
                    "torch.instance_norm(", "torch.alpha_dropout("}) {
                    if (modeOp == null && code.contains(op)) {
                        modeOp = op.substring("torch.".length(), op.length() - 1);
                    }
                }
            }
        } catch (IOException e) {
            return null; // not a zip: the loader says what it is
        }
        return readsTraining ? null : modeOp;
    }

    public Path file() {
        return file;
    }

    /** The module as PyTorch saves it (parameters and buffers), for a checkpoint or an exported file. */
    @Override
    public byte[] wholeState() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JniUtils.writeModule(module, out, false);
        return out.toByteArray();
    }

    /** Replaces the module by one written by {@link #wholeState} (a checkpoint's): parameters and buffers. */
    @Override
    public void restoreWholeState(byte[] saved) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("distill4j-student", ".pt");
            Files.write(tmp, saved);
            PtSymbolBlock loaded = loadTrainable(tmp, manager);
            module.close();
            module = loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) {
                tmp.toFile().delete();
            }
        }
    }

    /** Its dropout draws from libtorch's generator. */
    @Override
    public boolean drawsFromLibtorch() {
        return true;
    }

    @Override
    public ParameterList getDirectParameters() {
        return module.getDirectParameters();
    }

    @Override
    public int featureDim() {
        throw new UnsupportedOperationException(arch() + " gives logits only");
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        if (params != null && params.contains(STAGES)) {
            throw new IllegalStateException(arch() + " gives logits only: no stage maps");
        }
        // the mode set on every forward: DJL's block switches it only when its own flag changes, and a module loaded
        // from a checkpoint comes in the mode it was saved in
        if (training) {
            JniUtils.enableTrainingMode(module);
        } else {
            JniUtils.enableInferenceMode(module);
        }
        NDList out = module.forward(ps, inputs, training);
        return new NDList(out.get(0));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }
}
