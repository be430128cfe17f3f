package io.distill4j.report;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Runs of one configuration over seeds: a sweep's variant, or run folders NAME-seedN sharing NAME. */
public record Variant(String name, List<RunResult> runs, boolean computeMatched) {

    /** Network names over all runs, in order of first appearance. */
    public Set<String> networks() {
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.addAll(r.networks().keySet()));
        return names;
    }

    /** VALIDATION when every run selected its best epoch on validation, TEST when every run did so on test, else null. */
    public Selection selection() {
        Set<Selection> s = new LinkedHashSet<>();
        runs.forEach(r -> s.add(r.selection()));
        return s.size() == 1 ? s.iterator().next() : null;
    }

    public String selectionLabel() {
        Selection s = selection();
        return s == null ? "mixed: some runs best on test (optimistic)" : s.label();
    }

    public String selectionBrief() {
        Selection s = selection();
        return s == null ? "mixed: optimistic" : s.brief();
    }
}
