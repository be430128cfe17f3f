package io.distill4j.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.distill4j.util.MemoryFormat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Forward passes that release intermediate arrays as soon as the next layer has consumed them. In DJL every
 * array an operation makes belongs to its input's manager until that manager closes, so a whole network's
 * activations would stay allocated until the end of the batch. Here each layer's output moves to a fresh child
 * manager and the previous one (the consumed input, the layer's temporaries) is closed. Closing drops only the
 * Java handle: what autograd saved for the backward pass stays alive in libtorch (reference counted), so
 * training computes exactly the same thing, and inference holds a layer or two of activations at a time, as
 * PyTorch does. The chain's input is never moved or closed (a first layer's temporaries, if any, stay with it).
 */
public final class Scopes {
    private Scopes() {}

    /** The blocks one after another on {@code x}; a {@link SequentialBlock} runs child by child. */
    public static NDList chain(Collection<Block> blocks, ParameterStore ps, NDList x, boolean training) {
        return chain(blocks, ps, x, training, false);
    }

    /**
     * As {@link #chain(Collection, ParameterStore, NDList, boolean)}; with {@code channelsLast} the first layer's
     * output is laid out channels-last ({@link MemoryFormat}) and the layers after it keep that layout. Not the
     * input itself: an image of one channel has the same strides in both layouts, and libtorch then takes it for
     * the default one.
     */
    public static NDList chain(Collection<Block> blocks, ParameterStore ps, NDList x, boolean training,
                        boolean channelsLast) {
        NDArray input = x.singletonOrThrow();
        NDManager home = input.getManager();
        NDManager current = null; // holds the current layer's input (none for the first: the chain's is not ours)
        NDList cur = x;
        try {
            for (Block b : flatten(blocks)) {
                NDList out = b.forward(ps, cur, training); // arrays made here belong to cur's manager
                if (channelsLast && cur == x && out.size() == 1) {
                    out = new NDList(MemoryFormat.channelsLast(out.singletonOrThrow()));
                }
                NDManager next = home.newSubManager();
                for (NDArray a : out) {
                    if (a != input) {
                        a.attach(next);
                    }
                }
                if (current != null) {
                    current.close(); // the consumed input and b's temporaries
                }
                current = next;
                cur = out;
            }
            for (NDArray a : cur) {
                if (a != input) {
                    a.attach(home);
                }
            }
            return cur;
        } finally {
            if (current != null) {
                current.close();
            }
        }
    }

    private static List<Block> flatten(Collection<Block> blocks) {
        List<Block> out = new ArrayList<>();
        for (Block b : blocks) {
            if (b instanceof SequentialBlock s) {
                out.addAll(flatten(s.getChildren().values()));
            } else {
                out.add(b);
            }
        }
        return out;
    }
}
