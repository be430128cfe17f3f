package io.distill4j.report;

/** A chart of the report: its PNG file name in the output folder, its heading and caption, and its bytes. */
public record Figure(String file, String title, String caption, byte[] png) {

    /** A file name from any network or variant name: letters, digits, dot, dash and underscore only. */
    static String fileName(String stem) {
        return stem.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    }
}
