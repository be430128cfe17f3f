package io.distill4j.export;

import io.distill4j.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Writes an export folder as a whole or not at all: into a hidden temporary folder beside the target, then renamed
 * onto it, so that an interrupted or failed export never leaves a folder that looks finished.
 */
public final class Exporter {
    /** The file an ONNX export folder holds the model in. */
    public static final String ONNX_FILE = "model.onnx";

    public enum Format {
        ONNX, DJL, TORCHSCRIPT;

        public static Format parse(String s) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(s)) {
                    return f;
                }
            }
            throw new UserError("--format: '" + s + "' is not a format (onnx, djl, or torchscript for a TorchScript "
                    + "student)");
        }

        public String lower() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Exporter() {}

    /** A step that writes an export's files into a temporary folder. */
    @FunctionalInterface
    interface FolderWriter {
        void write(Path tmp) throws IOException;
    }

    /**
     * Exports {@code network} in {@code format} to folder {@code out}. An existing {@code out} is replaced only with
     * {@code force} and only when it is an earlier export (it holds a model card), never another folder.
     */
    public static void export(TrainedNetwork network, Format format, Path out, boolean force) {
        export(network.block(), network.card(), format, out, force);
    }

    public static void export(ClassifierBlock block, ModelCard card, Format format, Path out, boolean force) {
        writeFolder(out, force, tmp -> {
            switch (format) {
                case ONNX -> Files.write(tmp.resolve(ONNX_FILE), OnnxWriter.write(block, card));
                case DJL -> DjlWriter.write(block, card, tmp);
                case TORCHSCRIPT -> throw new IllegalArgumentException("a TorchScript student exports by ScriptedExport");
            }
            card.write(tmp.resolve(ModelCard.FILE)); // last: its presence marks a complete export
        });
    }

    /**
     * Writes an export folder through {@code writer}, which fills a hidden temporary folder beside {@code out} (the
     * model card last: its presence marks a complete export), then renamed onto it. An existing {@code out} is
     * replaced only with {@code force} and only when it is an earlier export (it holds a model card).
     */
    static void writeFolder(Path out, boolean force, FolderWriter writer) {
        Path target = out.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            if (!Files.isDirectory(target) || !Files.isRegularFile(target.resolve(ModelCard.FILE))) {
                throw new UserError(out + ": exists and is not an export of distill4j (give another -o)");
            }
            if (!force) {
                throw new UserError(out + ": exists (give --force to replace that export, or another -o)");
            }
        }
        Path parent = target.getParent();
        Path tmp;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            readableByAll(tmp); // a temporary folder is private; the export is not
        } catch (IOException e) {
            throw new UserError(out + ": cannot create the folder: " + e.getMessage());
        }
        try {
            writer.write(tmp);
            if (Files.exists(target)) {
                Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(old);
                move(target, old);
                move(tmp, target);
                deleteTree(old);
            } else {
                move(tmp, target);
            }
        } catch (IOException e) {
            deleteTree(tmp);
            throw new UserError(out + ": cannot write the export: " + e.getMessage());
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static void readableByAll(Path dir) throws IOException {
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a hidden leftover is harmless and never looks like an export
        }
    }
}
