package dev.fidelio.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fidelio.util.JsonFiles;
import dev.fidelio.util.Log;
import dev.fidelio.visualize.LearningCurves;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `fidelio visualize`: Ludwig's plots from a run's statistics; learning_curves for now. */
@Command(name = "visualize", mixinStandardHelpOptions = true, description = "Draw plots of a run's statistics.")
class VisualizeCommand implements Callable<Integer> {
  enum Visualization { learning_curves }

  @Option(names = {"-v", "--visualization"}, required = true, description = "one of: ${COMPLETION-CANDIDATES}")
  Visualization visualization;

  @Option(names = "--training_statistics", required = true, description = "a run's training_statistics.json")
  Path trainingStatistics;

  @Option(names = "--output_feature_name", description = "only this output feature (default: all)")
  String outputFeatureName;

  @Option(names = "--output_directory", defaultValue = "visualizations", description = "default: ${DEFAULT-VALUE}")
  Path outputDirectory;

  @Option(names = "--file_format", defaultValue = "png", description = "png (default)")
  String fileFormat;

  @Override
  public Integer call() {
    if (!fileFormat.equals("png")) {
      throw new IllegalArgumentException("--file_format " + fileFormat + " is not supported; use png");
    }
    if (!Files.exists(trainingStatistics)) {
      throw new IllegalArgumentException("--training_statistics " + trainingStatistics + " not found");
    }
    Map<String, Object> statistics;
    try {
      statistics = JsonFiles.MAPPER.readValue(trainingStatistics.toFile(), new TypeReference<>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + trainingStatistics + ": " + e.getMessage(), e);
    }
    System.setProperty("java.awt.headless", "true"); // plots render off-screen; no display needed
    var files = LearningCurves.draw(statistics, outputFeatureName, outputDirectory);
    files.forEach(f -> Log.info("wrote " + f));
    return 0;
  }
}
