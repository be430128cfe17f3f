package io.distill4j;

/**
 * An error caused by the user's input (a config key, a file, a value). The CLI prints its message as one
 * line and exits non-zero, without a stack trace. The message must name the file, key or value at fault.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
