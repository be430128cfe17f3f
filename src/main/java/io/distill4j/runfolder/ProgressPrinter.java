package io.distill4j.runfolder;

import io.distill4j.loop.Evaluation;
import io.distill4j.loop.Trainer;
import io.distill4j.loop.TrainingListener;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** The console's progress bar per epoch, the evaluation line, and where to resume a stopped run. */
public final class ProgressPrinter implements TrainingListener {
    private final PrintStream console;
    private final String resumeHint;
    private Progress bar;
    private int barEpoch = -1;
    private long epochImages;
    private double epochSeconds;

    /** @param resumeHint how to resume, printed when the run stops early (e.g. {@code --resume OUT}) */
    public ProgressPrinter(PrintStream console, String resumeHint) {
        this.console = console;
        this.resumeHint = resumeHint;
    }

    @Override
    public void onStart(Trainer trainer, boolean resumed) {
        if (resumed) {
            console.println("resumed at step " + trainer.step() + " (epoch " + (trainer.step() / trainer.stepsPerEpoch())
                    + ")");
        }
    }

    @Override
    public void onStep(Trainer trainer, StepEnd s) {
        if (s.epoch() != barEpoch) {
            barEpoch = s.epoch();
            epochImages = 0;
            epochSeconds = 0;
            bar = new Progress(console, String.format(Locale.ROOT, "epoch %d/%d", s.epoch() + 1, trainer.epochs()),
                    trainer.stepsPerEpoch());
        }
        epochImages += s.images();
        epochSeconds += s.seconds(); // the steps' own time: the bar is made after the epoch's first step
        int index = (int) ((s.step() - 1) % trainer.stepsPerEpoch());
        bar.update(index + 1, epochImages, epochSeconds, lossText(s.losses()));
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation evaluation) {
        for (var split : evaluation.splits().entrySet()) {
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  %-10s", split.getKey()));
            split.getValue().forEach((k, v) -> text.append(String.format(Locale.ROOT, "  %s top1 %.2f%%", k,
                    100 * v.top1())));
            console.println(text);
        }
    }

    @Override
    public void onStop(Trainer trainer) {
        console.println("stopped at step " + trainer.step() + "; resume with " + resumeHint);
    }

    private static String lossText(Map<String, Float> losses) {
        StringBuilder sb = new StringBuilder();
        for (var e : losses.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%s %.3f  ", e.getKey(), e.getValue()));
        }
        return sb.toString().trim();
    }
}
