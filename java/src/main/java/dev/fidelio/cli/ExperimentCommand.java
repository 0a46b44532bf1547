package dev.fidelio.cli;

import picocli.CommandLine.Command;

/** `fidelio experiment`: train, then evaluate the best model on the test split. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = "Train, then evaluate on the test split (test_statistics.json, predictions.csv).")
final class ExperimentCommand extends TrainCommand {
  @Override
  boolean evaluateTest() {
    return true;
  }
}
