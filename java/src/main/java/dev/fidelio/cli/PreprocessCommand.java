package dev.fidelio.cli;

import dev.fidelio.experiment.Experiment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `fidelio preprocess`: build (or verify) the preprocessed store entry of a config and dataset, without training. */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
    description = "Preprocess a dataset into the preprocessed store, so that later runs start training at once.")
final class PreprocessCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config", "-pc", "--preprocessing_config"}, required = true,
      description = "YAML config (Ludwig's keys): its features and preprocessing decide what is stored")
  Path config;

  @Option(names = {"--dataset"}, required = true, description = "CSV, TSV, JSON Lines or Parquet file")
  Path dataset;

  @Option(names = "--random_seed", defaultValue = "42", description = "split and sampling (default: ${DEFAULT-VALUE})")
  long randomSeed;

  @Option(names = "--cache_dir", description = "root of the preprocessed store (default: beside the dataset, "
      + "<dataset name>.fidelio_cache/)")
  Path cacheDir;

  @Override
  public Integer call() {
    System.out.println(Experiment.preprocess(config, dataset, randomSeed, cacheDir));
    return 0;
  }
}
