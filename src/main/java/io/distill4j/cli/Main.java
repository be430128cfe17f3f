package io.distill4j.cli;

import io.distill4j.UserError;
import io.distill4j.api.Distill4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code distill4j}: the command line. Bad input ends with one line naming the file, key or value, exit 2. */
@Command(name = "distill4j", mixinStandardHelpOptions = true, version = "distill4j " + Distill4j.VERSION,
        description = "Train compact image classifiers by knowledge distillation (DJL + PyTorch).",
        subcommands = {TrainCommand.class, EvalCommand.class, MethodsCommand.class, OptionsCommand.class, BenchCommand.class, ReportCommand.class, SweepCommand.class, TeacherOutputsCommand.class, AnalyzeCommand.class, DataCommand.class, ExportCommand.class, PredictCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int USER_ERROR = 2;
    public static final int INTERNAL_ERROR = 1;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "on an internal error, print the Java stack trace")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (used by tests too). */
    public static int execute(String... args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof UserError) {
                err.println("distill4j: error: " + oneLine(ex.getMessage()));
                err.flush();
                return USER_ERROR;
            }
            boolean debug = parsed.hasMatchedOption("--debug");
            if (debug) {
                ex.printStackTrace(err);
            }
            err.println("distill4j: internal error: " + ex.getClass().getSimpleName() + ": " + oneLine(ex.getMessage())
                    + (debug ? "" : " (a bug: rerun with --debug for the trace, and report it)"));
            err.flush();
            return INTERNAL_ERROR;
        });
        cl.setParameterExceptionHandler((ex, params) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("distill4j: error: " + oneLine(ex.getMessage()) + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return USER_ERROR;
        });
        return cl.execute(args);
    }

    /** Messages are one line: newlines of nested causes become spaces. */
    static String oneLine(String message) {
        return message == null ? "(no message)" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
