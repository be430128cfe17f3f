package io.distill4j.spark;

import io.distill4j.cli.Main;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The main class of a task's child process: {@code LEASE TOKEN PARENT_PID COMMAND...} runs distill4j's
 * {@code COMMAND...} (e.g. {@code train --resume OUT}) while a watchdog halts the process at once (no checkpoint,
 * no last line of metrics) when the lease is no longer {@code TOKEN} or the task's process (PARENT_PID) is gone:
 * a straggling attempt never writes beside its retry, and a task killed with its executor kills its child.
 */
public final class LeasedChild {
    /** The exit code of a child halted by its watchdog. */
    static final int LOST = 75;

    private LeasedChild() {}

    public static void main(String[] args) {
        Path lease = Path.of(args[0]);
        String token = args[1];
        long parent = Long.parseLong(args[2]);
        Thread watchdog = new Thread(() -> {
            while (true) {
                String why = null;
                if (ProcessHandle.of(parent).map(p -> !p.isAlive()).orElse(true)) {
                    why = "its task's process " + parent + " is gone";
                } else {
                    try {
                        if (!token.equals(Lease.read(lease))) {
                            why = "another attempt took the run over (" + lease + ")";
                        }
                    } catch (RuntimeException e) {
                        // the shared filesystem hiccuped: look again at the next poll
                    }
                }
                if (why != null) {
                    System.err.println("distill4j: stopped at once: " + why);
                    Runtime.getRuntime().halt(LOST);
                }
                try {
                    Thread.sleep(Lease.POLL_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "lease-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.exit(Main.execute(Arrays.copyOfRange(args, 3, args.length)));
    }
}
