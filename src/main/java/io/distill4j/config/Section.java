package io.distill4j.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A config section's declared keys ({@link Key}), in the order they are listed: the one declaration that the
 * section's parser reads through and {@code distill4j options} lists.
 *
 * @param path the section as written in a config ({@code data}, {@code networks.NAME}, ...)
 * @param doc  one line: what the section is
 * @param keys its keys
 */
public record Section(String path, String doc, List<Key> keys) {
    public Section {
        keys = List.copyOf(keys);
        Map<String, Key> seen = new LinkedHashMap<>();
        for (Key k : keys) {
            if (seen.put(k.name(), k) != null) {
                throw new IllegalStateException(path + ": key " + k.name() + " declared twice");
            }
        }
    }

    public static Section of(String path, String doc, Key... keys) {
        return new Section(path, doc, List.of(keys));
    }

    /** The declared key {@code name}: reading an undeclared key is a programming error. */
    public Key key(String name) {
        for (Key k : keys) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        throw new IllegalStateException(path + ": key " + name + " is not declared");
    }

    /** This section's keys followed by {@code more}'s (keys of one YAML section declared in two records). */
    public Section with(Section more) {
        List<Key> all = new ArrayList<>(keys);
        all.addAll(more.keys());
        return new Section(path, doc, all);
    }
}
