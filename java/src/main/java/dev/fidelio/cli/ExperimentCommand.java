package dev.fidelio.cli;

import dev.fidelio.experiment.Experiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `fidelio experiment`: train, then evaluate the best model on the test split. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = "Train, then evaluate on the test split (test_statistics.json, predictions.csv).")
final class ExperimentCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "YAML config (Ludwig's keys)")
  Path config;

  @Option(names = {"--dataset"}, required = true, description = "CSV, TSV, JSON Lines or Parquet file")
  Path dataset;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    Experiment.run(config, dataset, run.settings(), true);
    return 0;
  }
}
