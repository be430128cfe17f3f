package io.distill4j.config;

import io.distill4j.UserError;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One section of a YAML config, read key by key into typed values.
 *
 * <p>Every getter records the key as known and its resolved value (the given one or the default), so that
 * {@link #finish()} can reject unknown keys by their full dotted name and {@link #resolved()} can be written
 * next to the run's results. Range errors name the key, the value and the allowed range.
 */
public final class ConfigNode {
    private final String source;
    private final String path;
    private final Map<String, Object> values;
    private final Map<String, Object> resolved = new LinkedHashMap<>();
    private final Map<String, ConfigNode> children = new LinkedHashMap<>();
    private final Map<String, List<ConfigNode>> lists = new LinkedHashMap<>();

    public ConfigNode(String source, String path, Map<String, Object> values) {
        this.source = source;
        this.path = path;
        this.values = values == null ? Map.of() : values;
    }

    public String source() { return source; }

    /** The dotted name of a key in this section (e.g. {@code data.root}). */
    public String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public boolean has(String name) {
        return values.containsKey(name) && values.get(name) != null;
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** An error naming the file and the key. */
    public UserError error(String name, String message) {
        return new UserError(source + ": " + key(name) + ": " + message);
    }

    /** The value as written (null when absent), for keys that take a number or a word. */
    public Object raw(String name) {
        return values.get(name);
    }

    /** Whether the key's value is the string {@code word} (then it is recorded as the resolved value). */
    public boolean word(String name, String word) {
        if (word.equals(raw(name))) {
            resolved.put(name, word);
            return true;
        }
        return false;
    }

    public String string(String name, String defaultValue) {
        Object v = raw(name);
        String s = v == null ? defaultValue : v.toString();
        resolved.put(name, s);
        return s;
    }

    public String requireString(String name) {
        if (!has(name)) {
            throw error(name, "is required");
        }
        return string(name, null);
    }

    /** A string that must be one of the given choices. */
    public String choice(String name, String defaultValue, List<String> choices) {
        String s = string(name, defaultValue);
        if (s != null && !choices.contains(s)) {
            throw error(name, "'" + s + "' is not one of " + choices);
        }
        return s;
    }

    public long integer(String name, long defaultValue, long min, long max) {
        Object v = raw(name);
        long x;
        if (v == null) {
            x = defaultValue;
        } else if (v instanceof Integer || v instanceof Long) {
            x = ((Number) v).longValue();
        } else {
            throw error(name, "expected an integer, got '" + v + "'");
        }
        if (x < min || x > max) {
            throw error(name, x + " is outside [" + min + ", " + max + "]");
        }
        resolved.put(name, x);
        return x;
    }

    /** An optional integer: null when absent. */
    public Long optionalInteger(String name, long min, long max) {
        if (!has(name)) {
            resolved.put(name, null);
            return null;
        }
        return integer(name, 0, min, max);
    }

    public double number(String name, double defaultValue, double min, double max) {
        Object v = raw(name);
        double x;
        if (v == null) {
            x = defaultValue;
        } else if (v instanceof Number n) {
            x = n.doubleValue();
        } else {
            try {
                x = Double.parseDouble(v.toString()); // YAML 1.1 reads "5e-4" as a string
            } catch (NumberFormatException e) {
                throw error(name, "expected a number, got '" + v + "'");
            }
        }
        if (!(x >= min && x <= max)) {
            throw error(name, x + " is outside [" + min + ", " + max + "]");
        }
        resolved.put(name, x);
        return x;
    }

    public boolean bool(String name, boolean defaultValue) {
        Object v = raw(name);
        boolean b;
        if (v == null) {
            b = defaultValue;
        } else if (v instanceof Boolean x) {
            b = x;
        } else {
            throw error(name, "expected true or false, got '" + v + "'");
        }
        resolved.put(name, b);
        return b;
    }

    public List<Double> numbers(String name, List<Double> defaultValue) {
        Object v = raw(name);
        List<Double> out = new ArrayList<>();
        if (v == null) {
            out.addAll(defaultValue);
        } else if (v instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Number n)) {
                    throw error(name, "expected a list of numbers, got element '" + o + "'");
                }
                out.add(n.doubleValue());
            }
        } else if (v instanceof Number n) {
            out.add(n.doubleValue());
        } else {
            throw error(name, "expected a list of numbers, got '" + v + "'");
        }
        resolved.put(name, out);
        return out;
    }

    /** A nested section (empty when absent). */
    @SuppressWarnings("unchecked")
    public ConfigNode child(String name) {
        ConfigNode existing = children.get(name);
        if (existing != null) {
            return existing;
        }
        Object v = raw(name);
        if (v != null && !(v instanceof Map)) {
            throw error(name, "expected a section (key: value pairs), got '" + v + "'");
        }
        ConfigNode c = new ConfigNode(source, key(name), (Map<String, Object>) v);
        children.put(name, c);
        resolved.put(name, c.resolved);
        return c;
    }

    /**
     * A list of sections ({@code key: [{...}, {...}]}), each named {@code key[i]} in errors; empty when absent.
     */
    @SuppressWarnings("unchecked")
    public List<ConfigNode> sections(String name) {
        List<ConfigNode> existing = lists.get(name);
        if (existing != null) {
            return existing;
        }
        Object v = raw(name);
        if (v != null && !(v instanceof List)) {
            throw error(name, "expected a list of sections ([{key: value, ...}, ...]), got '" + v + "'");
        }
        List<ConfigNode> out = new ArrayList<>();
        List<Object> resolvedList = new ArrayList<>();
        List<Object> items = v == null ? List.of() : (List<Object>) v;
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (!(item instanceof Map)) {
                throw error(name + "[" + i + "]", "expected a section (key: value pairs), got '" + item + "'");
            }
            ConfigNode c = new ConfigNode(source, key(name) + "[" + i + "]", (Map<String, Object>) item);
            out.add(c);
            resolvedList.add(c.resolved);
        }
        lists.put(name, List.copyOf(out));
        resolved.put(name, resolvedList);
        return lists.get(name);
    }

    /** Rejects any key of this section (and of its children) that no getter asked for. */
    public void finish() {
        Set<String> unknown = new TreeSet<>();
        for (var e : values.entrySet()) {
            if (e.getValue() != null && !resolved.containsKey(e.getKey())) { // "key: null" means unset
                unknown.add(e.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            String first = unknown.iterator().next();
            throw new UserError(source + ": unknown config key '" + key(first) + "'"
                    + (resolved.isEmpty() ? "" : " (known keys here: " + String.join(", ", resolved.keySet()) + ")"));
        }
        for (ConfigNode c : children.values()) {
            c.finish();
        }
        for (List<ConfigNode> l : lists.values()) {
            l.forEach(ConfigNode::finish);
        }
    }

    /** Marks a raw sub-map as consumed and returns it as is (for sections parsed by someone else later). */
    public Map<String, Object> resolvedView() {
        return resolved;
    }
}
