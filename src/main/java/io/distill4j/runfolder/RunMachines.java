package io.distill4j.runfolder;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.UserError;
import io.distill4j.runtime.Machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The machines a run ran on, in {@code OUT/machines.json}: one entry when it starts and one each time it resumes
 * ({@link Machine#entry}: the machine, when, from which step, and {@code forced} when its CPU's kernels differ from
 * the first entry's). {@code summary.json} repeats the list. A run is bit-identical to an uninterrupted one only
 * on machines with the same kernels, so {@link #checkResume} refuses another CPU unless forced.
 */
public final class RunMachines {
    public static final String FILE = "machines.json";

    private RunMachines() {}

    public static Path path(Path out) {
        return out.resolve(FILE);
    }

    /** The entries recorded for the run in {@code out} (empty for a run from before machines were recorded). */
    public static List<JsonObject> read(Path out) {
        Path f = path(out);
        if (!Files.exists(f)) {
            return List.of();
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8));
            List<JsonObject> list = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) {
                list.add(x.getAsJsonObject());
            }
            return list;
        } catch (IOException | RuntimeException e) {
            throw new UserError(f + ": not a list of machines (" + e.getMessage() + "); it is written by train");
        }
    }

    /** The machine the run in {@code out} started on, or null when none was recorded. */
    public static Machine first(Path out) {
        List<JsonObject> list = read(out);
        return list.isEmpty() ? null : Machine.fromJson(list.get(0));
    }

    /**
     * Before any data is read: the run in {@code out} may continue on {@code here} when it started on a CPU with the
     * same kernels, or when {@code allowOtherCpu}; otherwise one line naming both.
     */
    public static void checkResume(Path out, Machine here, boolean allowOtherCpu) {
        Machine first = first(out);
        if (first == null || first.sameKernels(here) || allowOtherCpu) {
            return;
        }
        throw new UserError(out + ": started on " + first.brief() + ", this machine is " + here.brief()
                + ": its float results would differ from the steps already made (another CPU's kernels sum in "
                + "another order); resume it on a machine with [" + first.kernels() + "], or give --allow-other-cpu "
                + "to continue here (recorded; the report marks the run)");
    }

    /** Starts the list of a new run with {@code here}. */
    public static void start(Path out, Machine here) {
        write(out, List.of(here.entry(0, false)));
    }

    /** Adds {@code here} resuming at {@code step}; marked forced when its kernels differ from the first entry's. */
    public static void resumed(Path out, Machine here, long step) {
        List<JsonObject> list = new ArrayList<>(read(out));
        boolean forced = !list.isEmpty() && !Machine.fromJson(list.get(0)).sameKernels(here);
        list.add(here.entry(step, forced));
        write(out, list);
    }

    private static void write(Path out, List<JsonObject> list) {
        JsonArray a = new JsonArray();
        list.forEach(a::add);
        Path f = path(out);
        Path tmp = out.resolve(FILE + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(a) + "\n",
                    StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError(f + ": cannot write: " + e.getMessage());
        }
    }
}
