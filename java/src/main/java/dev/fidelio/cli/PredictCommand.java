package dev.fidelio.cli;

import dev.fidelio.experiment.Evaluation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `fidelio predict` and `fidelio evaluate` (with statistics). */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Predict with a trained model.")
class PredictCommand implements Callable<Integer> {
  @Option(names = {"-m", "--model_path"}, required = true, description = "the model folder of a training run")
  Path modelPath;

  @Option(names = "--dataset", required = true, description = "CSV, TSV, JSON Lines or Parquet file")
  Path dataset;

  @Option(names = {"-s", "--split"}, defaultValue = "full",
      description = "full, training, validation or test (default: ${DEFAULT-VALUE})")
  String split;

  @Option(names = "--output_directory", defaultValue = "results", description = "default: ${DEFAULT-VALUE}")
  Path outputDirectory;

  @Option(names = "--batch_size", defaultValue = "128", description = "default: ${DEFAULT-VALUE}")
  int batchSize;

  boolean withStatistics() {
    return false;
  }

  @Override
  public Integer call() {
    Evaluation.Split which;
    try {
      which = Evaluation.Split.valueOf(split.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--split must be full, training, validation or test, not '" + split + "'");
    }
    if (batchSize < 1) throw new IllegalArgumentException("--batch_size must be >= 1, not " + batchSize);
    Evaluation.run(modelPath, dataset, which, outputDirectory, withStatistics(), batchSize);
    return 0;
  }
}
