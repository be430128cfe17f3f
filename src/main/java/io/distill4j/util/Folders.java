package io.distill4j.util;

import io.distill4j.UserError;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Output folders made with a one-line error that names the part of the path that is in the way. */
public final class Folders {
    private Folders() {}

    /** Creates a folder and its parents, or throws a {@link UserError} that says why it cannot be. */
    public static void create(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new UserError(dir + ": cannot create output folder: " + p + " is a file, not a folder");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new UserError(dir + ": cannot create output folder: " + e.getFile() + " exists and is not a folder");
        } catch (AccessDeniedException e) {
            throw new UserError(dir + ": cannot create output folder: permission denied on " + e.getFile());
        } catch (IOException e) {
            throw new UserError(dir + ": cannot create output folder: " + e.getClass().getSimpleName() + " "
                    + e.getMessage());
        }
    }
}
