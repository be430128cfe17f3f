package io.distill4j.report;

/** What chose a run's best epoch: the validation split, or the test set itself (optimistic, older runs). */
public enum Selection {
    VALIDATION("selected on validation", "validation"),
    TEST("best on test: optimistic", "test: optimistic");

    private final String label;
    private final String brief;

    Selection(String label, String brief) {
        this.label = label;
        this.brief = brief;
    }

    /** For table cells. */
    public String brief() {
        return brief;
    }

    public String label() {
        return label;
    }

    /** summary.json's {@code selection}: absent means test (runs before validation splits existed). */
    static Selection parse(String value) {
        return value == null || value.equals("test") ? TEST : value.equals("validation") ? VALIDATION : null;
    }
}
