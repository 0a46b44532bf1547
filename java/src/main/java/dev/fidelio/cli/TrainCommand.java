package dev.fidelio.cli;

import dev.fidelio.experiment.Experiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `fidelio train`: fit a model as the config says; results under output_directory. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model from a config and a dataset.")
class TrainCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "YAML config (Ludwig's keys)")
  Path config;

  @Option(names = {"--dataset"}, required = true, description = "CSV, TSV, JSON Lines or Parquet file")
  Path dataset;

  @Mixin
  RunOptions run;

  /** experiment also evaluates the test split. */
  boolean evaluateTest() {
    return false;
  }

  @Override
  public Integer call() {
    Experiment.run(config, dataset, run.settings(), evaluateTest());
    return 0;
  }
}
