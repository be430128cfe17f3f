package io.distill4j.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.distill4j.UserError;

/**
 * Device names of a config ({@code cpu}, {@code gpu}, {@code gpu:N}, {@code auto}) as the engine's devices. A GPU
 * the engine does not see is one line naming the key; {@code auto} takes the first GPU when there is one.
 */
public final class Devices {
    private Devices() {}

    /**
     * The device {@code name} names, given the number of GPUs the engine sees; {@code where} (the config file and
     * key) starts the error line.
     */
    static Device resolve(String name, int gpus, String where) {
        if (name.equals("cpu") || name.equals("auto") && gpus == 0) {
            return Device.cpu();
        }
        int id = name.startsWith("gpu:") ? Integer.parseInt(name.substring(4)) : 0;
        if (id >= gpus) {
            throw new UserError(where + ": " + name + " requested but the engine sees " + gpus + " GPU"
                    + (gpus == 1 ? "" : "s") + (gpus == 0 ? " (distill4j's jar ships CPU natives; README, \"GPUs\", "
                    + "says how to give it a CUDA libtorch)" : " (gpu:0 to gpu:" + (gpus - 1) + ")"));
        }
        return Device.gpu(id);
    }

    /** The device {@code name} names on this machine (see {@link #resolve(String, int, String)}). */
    public static Device resolve(String name, String where) {
        return resolve(name, name.equals("cpu") ? 0 : Engine.getInstance().getGpuCount(), where);
    }
}
