package dev.fidelio.cli;

import picocli.CommandLine.Command;

/** `fidelio evaluate`: predictions plus test_statistics.json on the chosen split (rows need their labels). */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate a trained model: metrics (test_statistics.json) and predictions.")
final class EvaluateCommand extends PredictCommand {
  @Override
  boolean withStatistics() {
    return true;
  }
}
