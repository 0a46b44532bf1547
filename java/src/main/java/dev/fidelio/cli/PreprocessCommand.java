package dev.fidelio.cli;

import dev.fidelio.api.Fidelio;
import dev.fidelio.api.ModelConfig;
import dev.fidelio.api.PreprocessResult;
import dev.fidelio.api.TrainOptions;
import dev.fidelio.api.TrainingData;
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
    PreprocessResult r = Fidelio.preprocess(ModelConfig.fromFile(config), TrainingData.file(dataset),
        TrainOptions.defaults().randomSeed(randomSeed).cacheDirectory(cacheDir));
    System.out.println(r.summary());
    return 0;
  }
}
