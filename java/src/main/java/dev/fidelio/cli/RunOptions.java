package dev.fidelio.cli;

import dev.fidelio.api.TrainOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Ludwig's run naming flags and the preprocessed store's root, shared by train and experiment. */
final class RunOptions {
  @Option(names = "--output_directory", defaultValue = "results", description = "default: ${DEFAULT-VALUE}")
  Path outputDirectory;

  @Option(names = "--experiment_name", defaultValue = "experiment", description = "default: ${DEFAULT-VALUE}")
  String experimentName;

  @Option(names = "--model_name", defaultValue = "run", description = "default: ${DEFAULT-VALUE}")
  String modelName;

  @Option(names = "--random_seed", defaultValue = "42", description = "split, initialisation and shuffling (default: ${DEFAULT-VALUE})")
  long randomSeed;

  @Option(names = "--cache_dir", description = "root of the preprocessed store (default: beside the dataset, "
      + "<dataset name>.fidelio_cache/)")
  Path cacheDir;

  @Option(names = "--model_resume_path", description = "results folder of an interrupted run: continue it from its"
      + " newest intact checkpoint (same config, dataset and seed)")
  Path modelResumePath;

  @Option(names = "--device", defaultValue = "${env:FIDELIO_DEVICE:-auto}", description = "auto (CUDA when "
      + "available), cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}; environment FIDELIO_DEVICE)")
  String device;

  TrainOptions options() {
    return new TrainOptions(outputDirectory, experimentName, modelName, randomSeed, cacheDir, modelResumePath, device,
        null, null);
  }
}
