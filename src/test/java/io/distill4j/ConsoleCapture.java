package io.distill4j;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures {@code System.out} and {@code System.err} for each test ({@code @RegisterExtension}), so that a test
 * can read what a command printed; the streams are restored after every test.
 */
public final class ConsoleCapture implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop();
    }

    /** Starts capturing (done before each test; also for a class's one-time setup). */
    public void start() {
        out.reset();
        err.reset();
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** Restores the streams {@link #start()} replaced. */
    public void stop() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    /** What was printed to standard output since the test began (or the last reset). */
    public String out() { return out.toString(StandardCharsets.UTF_8); }

    /** What was printed to standard error since the test began (or the last reset). */
    public String err() { return err.toString(StandardCharsets.UTF_8); }

    public void resetOut() { out.reset(); }

    public void resetErr() { err.reset(); }
}
