package io.distill4j.runtime;

import ai.djl.engine.Engine;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where a computation ran, as a run and a sweep record it: the CPU (model, vendor and the vector extensions that
 * change which kernels oneDNN, MKL and ONNX Runtime choose, with any environment variable that caps them), cores,
 * memory, OS, the Java, DJL, libtorch and ONNX Runtime versions, distill4j's version and commit (with
 * {@code +dirty} for local changes), the intra-op threads and the memory allocator.
 * <p>
 * Float results are bit-identical only between runs whose {@link #kernels()} and {@link #threads()} agree: the
 * same kernels at the same thread count sum in the same order. These machines hide the CPU model ("Intel(R) Xeon(R)
 * Processor", "AMD EPYC"), and an AMD EPYC may have AVX-512 or not, so the kernels are named by vendor and
 * extensions, never by the model string.
 */
public record Machine(String cpu, String vendor, List<String> extensions, Map<String, String> isaLimits, int cores,
                      long memoryGib, String os, String java, String djl, String libtorch, String onnxRuntime,
                      String distill4j, String commit, int threads, String allocator, String host) {

    /** The extensions that select different float kernels (AMX as {@code amx}: its tiles, {@code amx_tile}). */
    public static final List<String> KERNEL_EXTENSIONS = List.of("avx2", "avx512f", "avx512_bf16", "amx");
    /** Environment variables that cap the instruction set the native libraries use, and so their kernels. */
    public static final List<String> ISA_VARIABLES = List.of("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA",
            "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "MKL_CBWR");

    private static volatile Machine here;

    /** {@code extensions} null: not recorded (a machine noted afterwards, or an old manifest's). */
    public Machine {
        extensions = extensions == null ? null : List.copyOf(extensions);
        isaLimits = isaLimits == null ? Map.of() : Map.copyOf(isaLimits);
    }

    /** This machine, with {@code threads} intra-op threads. */
    public static Machine current(int threads) {
        Machine m = here;
        if (m == null) {
            m = read();
            here = m;
        }
        return m.withThreads(threads);
    }

    public Machine withThreads(int t) {
        return new Machine(cpu, vendor, extensions, isaLimits, cores, memoryGib, os, java, djl, libtorch, onnxRuntime,
                distill4j, commit, t, allocator, host);
    }

    /**
     * What decides the float kernels: the CPU vendor, its kernel-changing extensions and any cap set on them, e.g.
     * {@code "AuthenticAMD avx2 avx512f avx512_bf16"} or {@code "GenuineIntel avx2 (ATEN_CPU_CAPABILITY=avx2)"};
     * null when the vendor or the extensions were not recorded.
     */
    public String kernels() {
        if (vendor == null || extensions == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(vendor);
        extensions.forEach(e -> sb.append(' ').append(e));
        if (extensions.isEmpty()) {
            sb.append(" no-avx2");
        }
        if (!isaLimits.isEmpty()) {
            List<String> caps = new ArrayList<>();
            for (String v : ISA_VARIABLES) {
                if (isaLimits.containsKey(v)) {
                    caps.add(v + "=" + isaLimits.get(v));
                }
            }
            sb.append(" (").append(String.join(", ", caps)).append(')');
        }
        return sb.toString();
    }

    /** CPU model and kernels: "AMD EPYC [AuthenticAMD avx2]", "... [kernels not recorded]". */
    public String label() {
        String k = kernels();
        return (cpu == null ? "unknown CPU" : cpu) + (k == null ? " [kernels not recorded]" : " [" + k + "]");
    }

    /** The machine in a few words, for messages: {@link #label} and threads. */
    public String brief() {
        return label() + (threads > 0 ? ", " + threads + " thread" + (threads == 1 ? "" : "s") : "");
    }

    /** True when runs on the two machines choose the same float kernels. */
    public boolean sameKernels(Machine other) {
        return other != null && kernels() != null && kernels().equals(other.kernels());
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("cpu", cpu);
        o.addProperty("vendor", vendor);
        if (extensions != null) {
            JsonArray ext = new JsonArray();
            extensions.forEach(ext::add);
            o.add("vector_extensions", ext);
        } else {
            o.add("vector_extensions", JsonNull.INSTANCE);
        }
        JsonObject caps = new JsonObject();
        isaLimits.forEach(caps::addProperty);
        o.add("isa_limits", caps);
        o.addProperty("kernels", kernels());
        o.addProperty("cores", cores);
        o.addProperty("memory_gib", memoryGib);
        o.addProperty("os", os);
        o.addProperty("java", java);
        o.addProperty("djl", djl);
        o.addProperty("libtorch", libtorch);
        o.addProperty("onnxruntime", onnxRuntime);
        o.addProperty("distill4j", distill4j);
        o.addProperty("commit", commit);
        o.addProperty("threads", threads);
        o.addProperty("allocator", allocator);
        o.addProperty("host", host);
        return o;
    }

    /** A machine as {@link #toJson} wrote it; fields it lacks are null (0 for numbers). */
    public static Machine fromJson(JsonObject o) {
        List<String> ext = null;
        if (o.has("vector_extensions") && o.get("vector_extensions").isJsonArray()) {
            ext = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("vector_extensions")) {
                ext.add(e.getAsString());
            }
        }
        Map<String, String> caps = new LinkedHashMap<>();
        if (o.has("isa_limits") && o.get("isa_limits").isJsonObject()) {
            o.getAsJsonObject("isa_limits").entrySet().forEach(e -> caps.put(e.getKey(), e.getValue().getAsString()));
        }
        return new Machine(text(o, "cpu"), text(o, "vendor"), ext, caps, (int) number(o, "cores"),
                number(o, "memory_gib"), text(o, "os"), text(o, "java"), text(o, "djl"), text(o, "libtorch"),
                text(o, "onnxruntime"), text(o, "distill4j"), text(o, "commit"), (int) number(o, "threads"),
                text(o, "allocator"), text(o, "host"));
    }

    /** One entry of a run's machines: this machine, when it started (or resumed) the run, and from which step. */
    public JsonObject entry(long fromStep, boolean forced) {
        JsonObject o = toJson();
        o.addProperty("started", Instant.now().toString());
        o.addProperty("from_step", fromStep);
        if (forced) {
            o.addProperty("forced", true);
        }
        return o;
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static long number(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? 0 : e.getAsLong();
    }

    private static Machine read() {
        Map<String, String> cpuinfo = cpuinfo();
        Set<String> flags = Set.of(cpuinfo.getOrDefault("flags", "").split("\\s+"));
        List<String> ext = new ArrayList<>();
        for (String e : KERNEL_EXTENSIONS) {
            if (flags.contains(e.equals("amx") ? "amx_tile" : e)) {
                ext.add(e);
            }
        }
        Map<String, String> caps = new LinkedHashMap<>();
        for (String v : ISA_VARIABLES) {
            String value = System.getenv(v);
            if (value != null && !value.isBlank()) {
                caps.put(v, value.trim());
            }
        }
        long memory = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            memory = Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        }
        Properties build = new Properties();
        try (InputStream in = Machine.class.getResourceAsStream("/io/distill4j/build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException ignored) {
            // versions unknown
        }
        String libtorch;
        try {
            libtorch = Engine.getEngine("PyTorch").getVersion();
        } catch (RuntimeException e) {
            libtorch = null;
        }
        String hostName;
        try {
            hostName = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            hostName = null;
        }
        return new Machine(cpuinfo.get("model name"), cpuinfo.get("vendor_id"), ext, caps,
                Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version"), build.getProperty("djl", Engine.getDjlVersion()), libtorch,
                build.getProperty("onnxruntime"), build.getProperty("distill4j"), gitCommit(), 0, currentAllocator(),
                hostName);
    }

    /** The first processor's fields of {@code /proc/cpuinfo}; empty where there is none (not Linux). */
    static Map<String, String> cpuinfo() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.isBlank() && !m.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    m.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the CPU is unknown
        }
        return m;
    }

    /** The malloc this process runs with: a preloaded tcmalloc, mimalloc or jemalloc, else the system's. */
    public static String currentAllocator() {
        try {
            String maps = Files.readString(Path.of("/proc/self/maps"));
            return maps.contains("libtcmalloc") ? "tcmalloc" : maps.contains("libmimalloc") ? "mimalloc"
                    : maps.contains("libjemalloc") ? "jemalloc" : "system (glibc)";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * The commit of the git checkout distill4j's classes were built in (the jar's folder's repository, else the
     * current directory's), with {@code +dirty} when tracked files have changed since; null outside a checkout.
     */
    public static String gitCommit() {
        Path dir = null;
        try {
            Path code = Path.of(Machine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code.toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.exists(p.resolve(".git"))) {
                    dir = p;
                    break;
                }
            }
        } catch (Exception ignored) {
            // no code source: the current directory
        }
        Path where = dir == null ? Path.of(".") : dir;
        String head = git(where, "rev-parse", "HEAD");
        if (head == null || head.isBlank()) {
            return null;
        }
        String status = git(where, "status", "--porcelain", "--untracked-files=no");
        return head.trim() + (status != null && !status.isBlank() ? "+dirty" : "");
    }

    private static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
