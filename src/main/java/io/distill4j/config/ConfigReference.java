package io.distill4j.config;

import java.util.List;

/**
 * Every config section's declared keys, in the order a config is written: what {@code distill4j options} lists
 * and the README's configuration reference carries (a test keeps the two equal). Method options are listed by
 * {@code distill4j methods}.
 */
public final class ConfigReference {
    private ConfigReference() {}

    /** The sections, top level first. */
    public static List<Section> sections() {
        return List.of(RunConfig.SECTION, DataConfig.SECTION, NetworkConfig.SECTION, TeacherConfig.SECTION,
                TeacherConfig.INPUT, TrainConfig.SECTION, OptimConfig.SECTION, RunConfig.METHOD);
    }

    /** The sections whose path is {@code name} or starts with it ({@code teachers} gives both teacher sections). */
    public static List<Section> sections(String name) {
        return sections().stream().filter(s -> s.path().equals(name) || s.path().startsWith(name + ".")).toList();
    }

    /** Plain text: one line per section, its keys indented. */
    public static String text(List<Section> sections) {
        StringBuilder sb = new StringBuilder();
        for (Section s : sections) {
            sb.append(s.path()).append(": ").append(s.doc()).append('\n');
            for (Key k : s.keys()) {
                sb.append(String.format("    %s = %s  (%s)  %s%n", k.name(), k.defaultText(), k.range(), k.doc()));
            }
        }
        return sb.toString();
    }

    /** The README's configuration reference: one table row per key, a section row above its keys. */
    public static String markdown(List<Section> sections) {
        StringBuilder sb = new StringBuilder("| section | key | default | valid | meaning |\n|---|---|---|---|---|\n");
        for (Section s : sections) {
            sb.append("| `").append(s.path()).append("` | | | | ").append(cell(s.doc())).append(" |\n");
            for (Key k : s.keys()) {
                sb.append("| | `").append(k.name()).append("` | ").append(cell(k.defaultText())).append(" | ")
                        .append(cell(k.range())).append(" | ").append(cell(k.doc())).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }
}
