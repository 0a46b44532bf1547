package dev.fidelio.cli;

import dev.fidelio.api.Fidelio;
import dev.fidelio.api.ModelConfig;
import dev.fidelio.api.TrainingData;
import dev.fidelio.config.Backend;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.distributed.WorkerEnvironment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `fidelio train`: fit a model as the config says; results under output_directory. With
 * --nproc_per_node (or backend.trainer.num_workers) above 1 it starts that many data-parallel
 * workers running this same command; a worker (WORLD_SIZE set) trains its rank.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model from a config and a dataset.")
class TrainCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "YAML config (Ludwig's keys)")
  Path config;

  @Option(names = {"--dataset"}, required = true, description = "CSV, TSV, JSON Lines or Parquet file")
  Path dataset;

  @Mixin
  RunOptions run;

  @Mixin
  LaunchOptions launch;

  @Spec
  CommandSpec spec;

  /** experiment also evaluates the test split. */
  boolean evaluateTest() {
    return false;
  }

  @Override
  public Integer call() {
    if (WorkerEnvironment.of(System.getenv()).isEmpty()) {
      int workers = launch.nprocPerNode != null ? launch.nprocPerNode : configuredWorkers();
      if (workers * launch.nnodes > 1) {
        return Launcher.run(launch.options(workers), spec.root().commandLine().getParseResult().originalArgs(),
            System.out);
      }
    }
    ModelConfig modelConfig = ModelConfig.fromFile(config);
    if (evaluateTest()) {
      Fidelio.experiment(modelConfig, TrainingData.file(dataset), run.options());
    } else {
      Fidelio.train(modelConfig, TrainingData.file(dataset), run.options());
    }
    return 0;
  }

  /** backend.trainer.num_workers; 1 when the config cannot be read (the run itself then says why). */
  private int configuredWorkers() {
    try {
      return FidelioConfig.load(config).backend() instanceof Backend.Local l ? l.numWorkers() : 1;
    } catch (Exception e) {
      return 1;
    }
  }
}
