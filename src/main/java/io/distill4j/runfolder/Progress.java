package io.distill4j.runfolder;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar with rate and ETA. On a terminal it redraws one line; otherwise (logs, CI) it prints a line
 * every tenth of the way so that output stays readable.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;

    public Progress(PrintStream out, String label, long total) {
        this.out = out;
        this.terminal = System.console() != null;
        this.label = label;
        this.total = Math.max(1, total);
    }

    /** @param done units done; @param images images processed so far (for the rate); @param extra suffix */
    public void update(long done, long images, String extra) {
        update(done, images, (System.nanoTime() - startNanos) / 1e9, extra);
    }

    /**
     * @param seconds the time the {@code done} units took (e.g. the steps' own time, when the bar starts after the
     *                first of them)
     */
    public void update(long done, long images, double seconds, String extra) {
        long now = System.nanoTime();
        int decile = (int) (10 * done / total);
        boolean end = done >= total;
        if (terminal) {
            if (!end && now - lastDraw < 200_000_000L) {
                return;
            }
        } else if (decile == lastDecile && !end) {
            return;
        }
        lastDraw = now;
        lastDecile = decile;
        double secs = seconds;
        double rate = secs > 0 ? images / secs : 0;
        double eta = done > 0 ? secs * (total - done) / done : 0;
        int width = 24;
        int filled = (int) (width * Math.min(done, total) / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d  %.0f img/s  %s %s  %s", label, bar, done, total,
                rate, end ? "took" : "ETA", clock(end ? secs : eta), extra);
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            if (end) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    public static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
