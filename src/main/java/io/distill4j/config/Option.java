package io.distill4j.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One option of an options record: its meaning, default and valid range, in one place. The config key is
 * the component's name in snake_case ({@code ceWeight} -> {@code ce_weight}). Read by {@link OptionRecords},
 * which parses a config section into the record and lists the options ({@code distill4j methods}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Option {
    /** One line: what the option does. */
    String doc();

    /** The default, as it would be written in YAML. */
    String value();

    /** Inclusive range of a number. */
    double min() default Double.NEGATIVE_INFINITY;

    double max() default Double.POSITIVE_INFINITY;

    /** The valid values of a string option (empty: any). */
    String[] choices() default {};
}
