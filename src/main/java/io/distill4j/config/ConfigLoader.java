package io.distill4j.config;

import io.distill4j.UserError;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a YAML config, applies {@code --set key=value} overrides, and writes resolved configs. */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static RunConfig load(Path file, List<String> overrides) {
        Map<String, Object> map = readYaml(file);
        for (String o : overrides) {
            applyOverride(map, o);
        }
        return RunConfig.from(new ConfigNode(file.toString(), "", map));
    }

    /**
     * A config held as text (the resolved config a checkpoint carries), {@code source} naming where it came from
     * in messages.
     */
    public static RunConfig loadText(String yaml, String source, List<String> overrides) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new UserError(source + ": invalid YAML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (!(doc instanceof Map)) {
            throw new UserError(source + ": the config must be a YAML mapping of keys to values");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = new LinkedHashMap<>((Map<String, Object>) doc);
        for (String o : overrides) {
            applyOverride(map, o);
        }
        return RunConfig.from(new ConfigNode(source, "", map));
    }

    public static Map<String, Object> readYaml(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (doc == null) {
                return new LinkedHashMap<>();
            }
            if (!(doc instanceof Map)) {
                throw new UserError(file + ": the config must be a YAML mapping of keys to values");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) doc;
            return m;
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": config file not found");
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            String where = mark == null ? "" : ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
            throw new UserError(file + where + ": invalid YAML: " + e.getProblem()
                    + (e.getContext() == null ? "" : " (" + e.getContext() + ")"));
        } catch (YAMLException e) {
            String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new UserError(file + ": invalid YAML: " + first);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }

    /** {@code a.b.c=value}: the value is read as YAML, so numbers, booleans and lists keep their types. */
    @SuppressWarnings("unchecked")
    public static void applyOverride(Map<String, Object> map, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new UserError("--set '" + override + "': expected key=value");
        }
        String key = override.substring(0, eq).trim();
        String text = override.substring(eq + 1);
        Object value;
        try {
            value = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new UserError("--set " + key + ": cannot read value '" + text + "'");
        }
        String[] parts = key.split("\\.");
        Map<String, Object> cur = map;
        for (int i = 0; i < parts.length - 1; i++) {
            Object next = cur.get(parts[i]);
            if (next == null) {
                next = new LinkedHashMap<String, Object>();
                cur.put(parts[i], next);
            } else if (!(next instanceof Map)) {
                throw new UserError("--set " + key + ": '" + parts[i] + "' is a value, not a section");
            }
            cur = (Map<String, Object>) next;
        }
        cur.put(parts[parts.length - 1], value);
    }

    /** A YAML mapping from text (e.g. a resolved config). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readYamlString(String text) {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        return doc instanceof Map ? (Map<String, Object>) doc : new LinkedHashMap<>();
    }

    public static String toYaml(Map<String, Object> map) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        return new Yaml(o).dump(map);
    }
}
