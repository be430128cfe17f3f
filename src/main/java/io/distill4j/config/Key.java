package io.distill4j.config;

import java.util.List;

/**
 * One config key of a section, declared once: its type, default, valid values and meaning. Sections read their
 * keys through their declarations ({@link Section}), so what a config accepts and what {@code distill4j options}
 * lists are the same thing. A default that depends on other keys (e.g. {@code data.pad_crop}: 2 on MNIST-like data,
 * else 4) is passed by the parser and listed as {@code defaultText}.
 *
 * @param name        the key, snake_case
 * @param type        what it takes
 * @param defaultText the default as listed (as it would be written in YAML; {@code none}: absent unless given)
 * @param min         inclusive lower bound of a number (integer and number keys)
 * @param max         inclusive upper bound
 * @param choices     the valid words of a choice key
 * @param doc         one line: what the key does
 */
public record Key(String name, Type type, String defaultText, double min, double max, List<String> choices,
                  String doc) {
    /** What a key takes. */
    public enum Type { INTEGER, NUMBER, BOOLEAN, CHOICE, TEXT, NUMBERS, SECTION }

    public Key {
        choices = List.copyOf(choices);
    }

    public static Key integer(String name, String defaultText, long min, long max, String doc) {
        return new Key(name, Type.INTEGER, defaultText, min, max, List.of(), doc);
    }

    public static Key number(String name, String defaultText, double min, double max, String doc) {
        return new Key(name, Type.NUMBER, defaultText, min, max, List.of(), doc);
    }

    public static Key bool(String name, String defaultText, String doc) {
        return new Key(name, Type.BOOLEAN, defaultText, 0, 0, List.of(), doc);
    }

    public static Key choice(String name, String defaultText, List<String> choices, String doc) {
        return new Key(name, Type.CHOICE, defaultText, 0, 0, choices, doc);
    }

    public static Key text(String name, String defaultText, String doc) {
        return new Key(name, Type.TEXT, defaultText, 0, 0, List.of(), doc);
    }

    public static Key numbers(String name, String defaultText, String doc) {
        return new Key(name, Type.NUMBERS, defaultText, 0, 0, List.of(), doc);
    }

    public static Key section(String name, String doc) {
        return new Key(name, Type.SECTION, "none", 0, 0, List.of(), doc);
    }

    /** The valid values as listed: a range, the choices, or the kind of value. */
    public String range() {
        return switch (type) {
            case INTEGER, NUMBER -> "[" + bound(min) + ", " + bound(max) + "]";
            case BOOLEAN -> "true | false";
            case CHOICE -> String.join(" | ", choices);
            case TEXT -> "text";
            case NUMBERS -> "list of numbers";
            case SECTION -> "section";
        };
    }

    private static String bound(double v) {
        if (Double.isInfinite(v)) {
            return v < 0 ? "-inf" : "inf";
        }
        if (v >= Long.MAX_VALUE) {
            return "2^63 - 1";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    // ---- reading a key from its section, as declared

    /** An integer key with its declared default. */
    public long readInteger(ConfigNode n) {
        return readInteger(n, Long.parseLong(defaultText));
    }

    /** An integer key whose default the parser computes (listed as {@code defaultText}). */
    public long readInteger(ConfigNode n, long defaultValue) {
        expect(Type.INTEGER);
        return n.integer(name, defaultValue, (long) min, (long) max);
    }

    /** An integer key with no default: null unless given. */
    public Long readOptionalInteger(ConfigNode n) {
        expect(Type.INTEGER);
        return n.optionalInteger(name, (long) min, (long) max);
    }

    public double readNumber(ConfigNode n) {
        return readNumber(n, Double.parseDouble(defaultText));
    }

    public double readNumber(ConfigNode n, double defaultValue) {
        expect(Type.NUMBER);
        return n.number(name, defaultValue, min, max);
    }

    public boolean readBool(ConfigNode n) {
        return readBool(n, Boolean.parseBoolean(defaultText));
    }

    public boolean readBool(ConfigNode n, boolean defaultValue) {
        expect(Type.BOOLEAN);
        return n.bool(name, defaultValue);
    }

    public String readChoice(ConfigNode n) {
        return readChoice(n, defaultText);
    }

    public String readChoice(ConfigNode n, String defaultValue) {
        expect(Type.CHOICE);
        return n.choice(name, defaultValue, choices);
    }

    /** A text key: its declared default, or null for {@code none}. */
    /** The text, or null where the key's default is {@code none} and it is absent or written {@code none}. */
    public String readText(ConfigNode n) {
        expect(Type.TEXT);
        boolean optional = defaultText.equals("none");
        String text = n.string(name, optional ? null : defaultText);
        return optional && "none".equals(text) ? null : text;
    }

    public String requireText(ConfigNode n) {
        expect(Type.TEXT);
        return n.requireString(name);
    }

    public List<Double> readNumbers(ConfigNode n, List<Double> defaultValue) {
        expect(Type.NUMBERS);
        return n.numbers(name, defaultValue);
    }

    private void expect(Type t) {
        if (type != t) {
            throw new IllegalStateException("key " + name + " is declared " + type + ", read as " + t);
        }
    }
}
