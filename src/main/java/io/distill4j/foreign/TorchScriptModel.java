package io.distill4j.foreign;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.distill4j.UserError;

import java.nio.file.Path;

/**
 * A TorchScript file ({@code torch.jit.trace} or {@code torch.jit.script}, then {@code torch.jit.save}) run by DJL's
 * PyTorch engine: the libtorch that trains distill4j's networks, so the model's inputs and outputs stay native.
 * Loaded on the CPU as saved: a file saved with CUDA tensors is refused on a machine without a GPU.
 */
public final class TorchScriptModel implements ForeignModel {
    private final Path file;
    private final NDManager manager;
    private final PtSymbolBlock block;

    private TorchScriptModel(Path file, NDManager manager, PtSymbolBlock block) {
        this.file = file;
        this.manager = manager;
        this.block = block;
    }

    /**
     * Loads {@code file} onto {@code device} (its tensors mapped there, whichever device they were saved from); an
     * unreadable, non-TorchScript or CUDA-only file is a one-line error naming it.
     */
    public static TorchScriptModel load(Path file, Device device) {
        ModelFiles.requireNonEmpty(file);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            PtSymbolBlock block = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0],
                    new String[0], false);
            return new TorchScriptModel(file, manager, block);
        } catch (EngineException | IllegalArgumentException e) {
            manager.close();
            throw new UserError(file + ": " + why(e.getMessage()));
        }
    }

    /** libtorch's reason, as one line a user can act on. */
    static String why(String message) {
        String m = message == null ? "" : message;
        if (m.contains("CUDA") || m.contains("cuda")) {
            return "the TorchScript model was saved with its tensors on a CUDA GPU, and this machine has none; save "
                    + "it from the CPU (model.cpu() before torch.jit.trace and torch.jit.save)";
        }
        if (m.contains("constants.pkl") || m.contains("code/") || m.contains("bytecode")) {
            return "a PyTorch file but not a TorchScript model (torch.save of a state_dict or module?); save it "
                    + "with torch.jit.trace(model, example) and torch.jit.save";
        }
        return "not a TorchScript model (the file is corrupt, truncated, or of another format; libtorch says: "
                + ModelFiles.firstLine(m) + ")";
    }

    @Override
    public NDArray forward(NDArray x) {
        return forwardAll(x).singletonOrThrow();
    }

    @Override
    public NDList forwardAll(NDArray x) {
        NDList out = block.forward(new ParameterStore(x.getManager(), false), new NDList(x), false);
        out.attach(x.getManager());
        return out;
    }

    @Override
    public Path file() { return file; }

    @Override
    public String runtime() { return "torchscript"; }

    @Override
    public void close() {
        block.close();
        manager.close();
    }
}
