package io.distill4j.api;

import io.distill4j.config.ConfigLoader;
import io.distill4j.config.RunConfig;
import io.distill4j.run.Run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's config as YAML (a file, text or a map built in code) with {@code key=value} overrides, read by
 * {@code config.ConfigLoader} and validated when a run starts or {@link #validate()} is called; an invalid one is a
 * {@code UserError} naming the key.
 */
public final class Config {
    private final Path file;
    private final String text;
    private final String source;
    private final List<String> overrides;
    private RunConfig resolved;

    private Config(Path file, String text, String source, List<String> overrides) {
        this.file = file;
        this.text = text;
        this.source = source;
        this.overrides = List.copyOf(overrides);
    }

    /** A YAML config file. */
    public static Config fromYaml(Path file) {
        return fromYaml(file, List.of());
    }

    /** A YAML config file with overrides such as {@code train.epochs=3} (the command line's {@code --set}). */
    public static Config fromYaml(Path file, List<String> overrides) {
        return new Config(file, null, file.toString(), overrides);
    }

    /** A config held as YAML text. */
    public static Config fromYamlText(String yaml) {
        return fromYamlText(yaml, List.of());
    }

    /** A config held as YAML text, with overrides. */
    public static Config fromYamlText(String yaml, List<String> overrides) {
        return new Config(null, yaml, "(YAML text)", overrides);
    }

    /** A config built in code as nested maps (as the YAML would read: {@code Map.of("seed", 1, "data", ...)}). */
    public static Config fromMap(Map<String, Object> map) {
        return fromYamlText(ConfigLoader.toYaml(map));
    }

    /** This config with one more override ({@code key=value}, applied after the others). */
    public Config with(String override) {
        List<String> o = new ArrayList<>(overrides);
        o.add(override);
        return new Config(file, text, source, o);
    }

    /** Where the config came from, as messages and the start of a run name it: the file, or {@code (YAML text)}. */
    public String source() { return source; }

    public List<String> overrides() { return overrides; }

    /**
     * Checks the whole config now as a run does before any data is read (every key known, every value in range,
     * method options included, every checkpoint it names a file).
     */
    public Config validate() {
        Run.validate(read(), path -> true);
        return this;
    }

    /** The config read (its sections validated; the rest is checked when a run is built from it). */
    public RunConfig resolve() {
        if (resolved == null) {
            resolved = read();
        }
        return resolved;
    }

    private RunConfig read() {
        return file != null ? ConfigLoader.load(file, overrides) : ConfigLoader.loadText(text, source, overrides);
    }
}
