package dev.fidelio.cli;

import dev.fidelio.api.EvaluationOptions;
import dev.fidelio.api.Fidelio;
import dev.fidelio.api.Split;
import dev.fidelio.api.TrainingData;
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
    Split which;
    try {
      which = Split.valueOf(split.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--split must be full, training, validation or test, not '" + split + "'");
    }
    if (batchSize < 1) throw new IllegalArgumentException("--batch_size must be >= 1, not " + batchSize);
    var options = new EvaluationOptions(which, outputDirectory, batchSize);
    if (withStatistics()) {
      Fidelio.evaluate(modelPath, TrainingData.file(dataset), options);
    } else {
      Fidelio.predict(modelPath, TrainingData.file(dataset), options);
    }
    return 0;
  }
}
