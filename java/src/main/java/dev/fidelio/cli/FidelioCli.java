package dev.fidelio.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `fidelio` command line (Ludwig's command names). bin/fidelio sets up the environment and runs this. */
@Command(
    name = "fidelio",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Declarative fine-tuning of pretrained models on LibTorch.",
    subcommands = {TrainCommand.class, PreprocessCommand.class, PredictCommand.class, EvaluateCommand.class,
        ExperimentCommand.class, ServeCommand.class, ExportTorchscriptCommand.class, RenderConfigCommand.class,
        VisualizeCommand.class, CheckInstallCommand.class, CommandLine.HelpCommand.class})
public final class FidelioCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new FidelioCli()).setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("fidelio: " + e.getMessage());
      return 1;
    });
  }
}
