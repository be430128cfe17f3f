package io.distill4j.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Options records: a config section parsed into a record whose components carry {@link Option}. */
public final class OptionRecords {
    private OptionRecords() {}

    /** One option as listed by {@code distill4j methods}. */
    public record Described(String key, String type, String defaultValue, String range, String doc) {}

    /** The config key of a record component: {@code ceWeight} -> {@code ce_weight}. */
    public static String key(String component) {
        return component.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Reads every option of {@code type} from {@code node} (defaults where absent), range-checked. */
    public static <R extends Record> R parse(Class<R> type, ConfigNode node) {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            RecordComponent c = cs[i];
            Option o = option(type, c);
            String key = key(c.getName());
            Class<?> t = c.getType();
            types[i] = t;
            if (t == double.class) {
                args[i] = node.number(key, Double.parseDouble(o.value()), o.min(), o.max());
            } else if (t == int.class) {
                args[i] = (int) node.integer(key, Integer.parseInt(o.value()), bound(o.min(), Integer.MIN_VALUE),
                        bound(o.max(), Integer.MAX_VALUE));
            } else if (t == long.class) {
                args[i] = node.integer(key, Long.parseLong(o.value()), bound(o.min(), Long.MIN_VALUE),
                        bound(o.max(), Long.MAX_VALUE));
            } else if (t == boolean.class) {
                args[i] = node.bool(key, Boolean.parseBoolean(o.value()));
            } else if (t == String.class) {
                args[i] = o.choices().length > 0 ? node.choice(key, o.value(), List.of(o.choices()))
                        : node.string(key, o.value());
            } else if (t.isEnum()) {
                args[i] = constant(t, node.choice(key, o.value(), names(t)));
            } else {
                throw new IllegalStateException(type.getName() + "." + c.getName() + ": unsupported option type " + t);
            }
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getName() + ": cannot build the options record", e);
        }
    }

    /** The record with every option at its default. */
    public static <R extends Record> R defaults(Class<R> type) {
        return parse(type, new ConfigNode("(defaults)", "", null));
    }

    /** Every option of {@code type}, in declaration order. */
    public static List<Described> describe(Class<? extends Record> type) {
        List<Described> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Option o = option(type, c);
            Class<?> t = c.getType();
            String typeName = t == double.class ? "number" : t == int.class || t == long.class ? "integer"
                    : t == boolean.class ? "boolean" : o.choices().length > 0 || t.isEnum() ? "choice" : "string";
            String key = key(c.getName());
            List<String> choices = t.isEnum() ? names(t) : List.of(o.choices());
            Key declared = switch (typeName) { // the listing of a section's keys, so both read alike
                case "number" -> Key.number(key, o.value(), o.min(), o.max(), o.doc());
                case "integer" -> new Key(key, Key.Type.INTEGER, o.value(), o.min(), o.max(), List.of(), o.doc());
                case "boolean" -> Key.bool(key, o.value(), o.doc());
                case "choice" -> Key.choice(key, o.value(), choices, o.doc());
                default -> Key.text(key, o.value(), o.doc());
            };
            String range = declared.range();
            out.add(new Described(key, typeName, o.value(), range, o.doc()));
        }
        return out;
    }

    /**
     * The config names of an enum option's constants, in declaration order: each constant's name in lower case
     * ({@code EVERY_STEP} is {@code every_step}).
     */
    public static List<String> names(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants()).map(OptionRecords::name).toList();
    }

    /** The config name of an enum option's constant. */
    public static String name(Object constant) {
        return ((Enum<?>) constant).name().toLowerCase(Locale.ROOT);
    }

    private static Object constant(Class<?> enumType, String name) {
        for (Object c : enumType.getEnumConstants()) {
            if (name(c).equals(name)) {
                return c;
            }
        }
        throw new IllegalStateException(enumType.getName() + " has no constant named " + name);
    }

    private static Option option(Class<?> type, RecordComponent c) {
        Option o = c.getAnnotation(Option.class);
        if (o == null) {
            throw new IllegalStateException(type.getName() + "." + c.getName() + " has no @Option");
        }
        return o;
    }

    private static long bound(double v, long fallback) {
        return Double.isInfinite(v) ? fallback : (long) v;
    }

    /** For error messages: the keys of {@code type}. */
    public static String keys(Class<? extends Record> type) {
        return String.join(", ", Arrays.stream(type.getRecordComponents()).map(c -> key(c.getName())).toList());
    }
}
