package io.distill4j.loop;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scores of one evaluation, per split and output: the test split always; the validation split when the run
 * holds one out ({@code data.validation}); the training split as trained on, unaugmented, with
 * {@code train.train_fit}.
 *
 * @param epoch      finished epochs (1-based)
 * @param test       scores on the test split
 * @param validation scores on the validation split, or null
 * @param train      scores on the training split, or null
 */
public record Evaluation(int epoch, Map<String, Evaluator.Score> test, Map<String, Evaluator.Score> validation,
                         Map<String, Evaluator.Score> train) {
    /** The split that selects the best epoch: validation when there is one, else (optimistically) test. */
    public Map<String, Evaluator.Score> selecting() {
        return validation != null ? validation : test;
    }

    /** The splits evaluated, by name ({@code test}, {@code validation}, {@code train}), in that order. */
    public Map<String, Map<String, Evaluator.Score>> splits() {
        var out = new LinkedHashMap<String, Map<String, Evaluator.Score>>();
        out.put("test", test);
        if (validation != null) {
            out.put("validation", validation);
        }
        if (train != null) {
            out.put("train", train);
        }
        return out;
    }
}
