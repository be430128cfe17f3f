package io.distill4j.methods;

import io.distill4j.UserError;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The one place that maps method names to their implementations. A new method = one line here. */
public final class MethodRegistry {
    private static final Map<String, Function<MethodSetup, Method>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("baseline", Baseline::new);
        FACTORIES.put("dlb", Dlb::new);
        FACTORIES.put("kd", Kd::new);
        FACTORIES.put("meal-v2", MealV2::new);
        FACTORIES.put("dml", Dml::new);
        FACTORIES.put("okdcr", Okdcr::new);
    }

    private MethodRegistry() {}

    public static Method create(String name, MethodSetup setup) {
        Function<MethodSetup, Method> f = FACTORIES.get(name);
        if (f == null) {
            throw setup.options().error("name", "unknown method '" + name + "' (known: "
                    + String.join(", ", FACTORIES.keySet()) + ")");
        }
        return f.apply(setup);
    }

    /** Adds a method from outside this package (a plug-in, or a test). */
    public static synchronized void register(String name, Function<MethodSetup, Method> factory) {
        if (FACTORIES.putIfAbsent(name, factory) != null) {
            throw new IllegalArgumentException("method " + name + " is already registered");
        }
    }

    public static Set<String> names() {
        return FACTORIES.keySet();
    }
}
