package io.distill4j.foreign;

import io.distill4j.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The named tensors of a PyTorch archive, read without libtorch: a TorchScript module ({@code torch.jit.save}: its
 * parameters and buffers, BatchNorm running statistics included, which DJL does not expose) or a
 * {@code torch.save} of a state dict or of a whole module. Both are zip files (PyTorch 1.6 and later) holding
 * {@code NAME/data.pkl}, a pickle of the module tree or dictionary ({@link Pickle}) whose tensors refer to raw
 * little-endian storages {@code NAME/data/KEY}. Names are the state dict's ({@code layer1.0.bn1.running_mean}), in
 * the module's order. Floating tensors (float32, float64, float16, bfloat16) are read as float32; integer tensors
 * (BatchNorm's {@code num_batches_tracked}) are listed without values.
 */
public final class TorchArchive {
    /** A tensor of the archive: its PyTorch dtype, shape and values (row-major; null unless floating). */
    public record Tensor(String dtype, long[] shape, float[] values) {
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public boolean floating() { return values != null; }

        public String shapeText() {
            return Arrays.toString(shape).replace('[', '(').replace(']', ')');
        }
    }

    private record Storage(String key, String dtype) {}

    private static final Map<String, Integer> BYTES = Map.of("float32", 4, "float64", 8, "float16", 2,
            "bfloat16", 2, "int64", 8, "int32", 4, "int16", 2, "int8", 1, "uint8", 1, "bool", 1);

    private TorchArchive() {}

    /** True when {@code file} is a zip with a {@code data.pkl} at its top folder (a PyTorch archive). */
    public static boolean isArchive(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return pickleOf(zip) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The archive's tensors by name, in order; a file that is not one is a one-line {@link UserError}. */
    public static Map<String, Tensor> read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = pickleOf(zip);
            if (pkl == null) {
                throw notArchive(file, "a zip without data.pkl");
            }
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Map<String, Tensor> out = new LinkedHashMap<>();
            Map<String, ByteBuffer> storages = new HashMap<>();
            Object root = Pickle.load(bytes(zip, pkl), new Pickle.Resolver() {
                @Override
                public Object call(Pickle.Global f, List<Object> args) throws IOException {
                    return switch (f.toString()) {
                        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" ->
                                tensor(zip, prefix, storages, args);
                        case "torch._utils._rebuild_parameter",
                             "torch._utils._rebuild_parameter_with_state" -> args.get(0);
                        case "collections.OrderedDict" -> new LinkedHashMap<>();
                        case "copyreg._reconstructor" -> new Pickle.Obj((Pickle.Global) args.get(0), List.of());
                        default -> new Pickle.Obj(f, args);
                    };
                }

                @Override
                public Object persistent(Object id) throws IOException {
                    if (!(id instanceof List<?> t) || t.size() < 3 || !"storage".equals(t.get(0))
                            || !(t.get(1) instanceof Pickle.Global type)) {
                        throw new IOException("a persistent id that is not a storage: " + id);
                    }
                    return new Storage(String.valueOf(t.get(2)), dtype(type));
                }
            });
            walk(root, "", out);
            if (out.isEmpty()) {
                throw notArchive(file, "an archive without tensors");
            }
            return out;
        } catch (ZipException e) {
            throw notArchive(file, "not a zip file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot be read as a PyTorch archive (" + e.getMessage() + ")", e);
        }
    }

    private static UserError notArchive(Path file, String what) {
        return new UserError(file + ": " + what + ", not a PyTorch archive (a torch.jit.save of a scripted module, "
                + "or a torch.save of a state dict, PyTorch 1.6 or later)");
    }

    private static ZipEntry pickleOf(ZipFile zip) {
        return zip.stream().filter(e -> e.getName().matches("[^/]+/data\\.pkl")).findFirst().orElse(null);
    }

    private static byte[] bytes(ZipFile zip, ZipEntry e) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    /** The dtype of a storage class ({@code torch.FloatStorage}). */
    private static String dtype(Pickle.Global type) throws IOException {
        return switch (type.name()) {
            case "FloatStorage" -> "float32";
            case "DoubleStorage" -> "float64";
            case "HalfStorage" -> "float16";
            case "BFloat16Storage" -> "bfloat16";
            case "LongStorage" -> "int64";
            case "IntStorage" -> "int32";
            case "ShortStorage" -> "int16";
            case "CharStorage" -> "int8";
            case "ByteStorage" -> "uint8";
            case "BoolStorage" -> "bool";
            default -> throw new IOException("a storage of type " + type + ", which distill4j does not read");
        };
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, ...)}: the strided view, read out row-major. */
    private static Tensor tensor(ZipFile zip, String prefix, Map<String, ByteBuffer> storages, List<Object> args)
            throws IOException {
        Storage s = (Storage) args.get(0);
        long offset = (Long) args.get(1);
        long[] shape = longs(args.get(2));
        long[] stride = longs(args.get(3));
        Tensor shell = new Tensor(s.dtype(), shape, null);
        if (!s.dtype().startsWith("float") && !s.dtype().equals("bfloat16")) {
            return shell;
        }
        ByteBuffer data = storages.get(s.key());
        if (data == null) {
            ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
            if (e == null) {
                throw new IOException("storage " + s.key() + " is missing from the archive");
            }
            data = ByteBuffer.wrap(bytes(zip, e)).order(ByteOrder.LITTLE_ENDIAN);
            storages.put(s.key(), data);
        }
        int width = BYTES.get(s.dtype());
        float[] values = new float[Math.toIntExact(shell.size())];
        long[] index = new long[shape.length];
        for (int i = 0; i < values.length; i++) {
            long at = offset;
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * stride[d];
            }
            values[i] = value(data, Math.toIntExact(at * width), s.dtype());
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        return new Tensor(s.dtype(), shape, values);
    }

    private static float value(ByteBuffer b, int at, String dtype) {
        return switch (dtype) {
            case "float32" -> b.getFloat(at);
            case "float64" -> (float) b.getDouble(at);
            case "bfloat16" -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            default -> half(b.getShort(at));
        };
    }

    /** IEEE binary16 to float (exact: every half is a float). */
    static float half(short h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 10) & 0x1f;
        int frac = h & 0x3ff;
        float magnitude = exp == 0 ? frac * 0x1p-24f
                : exp == 31 ? (frac == 0 ? Float.POSITIVE_INFINITY : Float.NaN)
                : Math.scalb(1 + frac / 1024f, exp - 15);
        return sign == 1 ? -magnitude : magnitude;
    }

    private static long[] longs(Object tuple) throws IOException {
        if (!(tuple instanceof List<?> l)) {
            throw new IOException("a tensor's size or stride is not a tuple");
        }
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Long) l.get(i);
        }
        return out;
    }

    /**
     * The tensors under a node, named by their path: a TorchScript module's state is a dictionary of its attributes
     * (submodules, parameters, buffers, flags); a pickled {@code nn.Module}'s keeps them in {@code _parameters},
     * {@code _buffers} and {@code _modules}; a state dict is the dictionary itself.
     */
    private static void walk(Object node, String prefix, Map<String, Tensor> out) {
        if (node instanceof Tensor t) {
            out.put(prefix.substring(0, prefix.length() - 1), t);
        } else if (node instanceof Pickle.Obj o) {
            walk(o.state, prefix, out);
        } else if (node instanceof Map<?, ?> m) {
            boolean module = m.containsKey("_parameters") && m.containsKey("_modules");
            for (var e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (module) {
                    if (key.equals("_parameters") || key.equals("_buffers") || key.equals("_modules")) {
                        walk(e.getValue(), prefix, out);
                    }
                } else if (!key.startsWith("_")) {
                    walk(e.getValue(), prefix + key + ".", out);
                }
            }
        }
    }
}
