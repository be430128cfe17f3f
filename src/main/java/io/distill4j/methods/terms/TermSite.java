package io.distill4j.methods.terms;

import io.distill4j.UserError;

/**
 * Where a term's options were written, for errors found when it is built or attached: one line naming the key. A
 * {@code compose} term names its entry's keys ({@code method.terms[2].student}); a method built of terms maps them to
 * its own option names ({@code method.fitnet.guided_stage}).
 */
@FunctionalInterface
public interface TermSite {
    UserError error(String key, String message);
}
