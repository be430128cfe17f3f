package io.distill4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Which attempt of a task owns a run's folder: a file holding the owner's token. The newest attempt takes it over
 * (Spark starts a retry only once it holds the earlier attempt lost); an earlier attempt's child checks the file
 * twice a second ({@link LeasedChild}) and halts, writing nothing more, once the token is not its own. A taker
 * that finds another's token waits {@link #GRACE_MS} before it starts, so that a straggler still alive has
 * stopped by then. Polling, not fencing: a straggler frozen longer than that (a machine suspended) could still
 * write once it wakes, before it looks at the file.
 */
final class Lease {
    /** How often a child looks at its lease. */
    static final long POLL_MS = 500;
    /** How long a new owner waits after taking over another's lease: several polls. */
    static final long GRACE_MS = 4 * POLL_MS;

    private Lease() {}

    /** Takes the lease at {@code file} for {@code token}; returns the token it replaced, or null. */
    static String take(Path file, String token) {
        try {
            Files.createDirectories(file.getParent());
            String before = read(file);
            Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + Thread.currentThread().getId() + ".tmp");
            Files.writeString(tmp, token, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return before;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot take the run's lease", e);
        }
    }

    /** The token in the lease file, or null when there is none. */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the run's lease", e);
        }
    }

    /** Gives the lease back if {@code token} still holds it (a later attempt's lease is left alone). */
    static void release(Path file, String token) {
        try {
            if (token.equals(read(file))) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            // a lease left behind costs the next attempt GRACE_MS, nothing else
        }
    }
}
