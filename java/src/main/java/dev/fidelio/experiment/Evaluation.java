package dev.fidelio.experiment;

import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.SplitIndices;
import dev.fidelio.data.Splitter;
import dev.fidelio.data.Table;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.Preprocessor;
import dev.fidelio.metrics.SplitMetrics;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.predict.PredictionsCsv;
import dev.fidelio.predict.Predictor;
import dev.fidelio.util.JsonFiles;
import dev.fidelio.util.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ludwig's predict and evaluate with a saved model: raw rows in (the real encoders run, also for
 * models trained on cached embeddings), predictions.csv out, and for evaluate test_statistics.json.
 */
public final class Evaluation {
  /** Which rows: the whole dataset, or one split recomputed with the model's own split settings and seed. */
  public enum Split { FULL, TRAINING, VALIDATION, TEST }

  private Evaluation() {}

  /** What predict / evaluate wrote: predictions.csv; for evaluate also test_statistics.json (else null), its content. */
  public record Outcome(Path predictions, Path statisticsFile, SplitMetrics statistics, int rows) {}

  public static Outcome run(Path modelFolder, Path datasetFile, Split split, Path outputDirectory,
                            boolean withStatistics, int batchSize) {
    try (ModelBundle bundle = ModelBundle.load(modelFolder)) {
      Table table = DatasetReader.read(datasetFile);
      int[] rows = rows(bundle, table, split);
      var preprocessor = new Preprocessor(bundle.config(), bundle.metadata(), bundle.tokenizers());
      Dataset data = preprocessor.transform(table, rows, withStatistics, split.name().toLowerCase());
      Predictor.Result result = Predictor.run(bundle.model(), data, bundle.config(), bundle.metadata(), batchSize);
      Files.createDirectories(outputDirectory);
      Path predictions = unused(outputDirectory, "predictions", ".csv");
      PredictionsCsv.write(predictions, result.outputs(), data.size());
      Log.info("wrote " + data.size() + " predictions to " + predictions);
      if (!withStatistics) return new Outcome(predictions, null, SplitMetrics.NONE, data.size());
      SplitMetrics stats = SplitMetrics.of(bundle.config(), data, result, true);
      Path statistics = unused(outputDirectory, "test_statistics", ".json");
      JsonFiles.write(statistics, stats.toJson());
      Log.info(split.name().toLowerCase() + " split: " + RunDescription.summary(bundle.config(), stats));
      return new Outcome(predictions, statistics, stats, data.size());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write into " + outputDirectory + ": " + e.getMessage(), e);
    }
  }

  /** name + extension, or name_1, name_2, ... when taken: a second predict keeps the first one's file. */
  private static Path unused(Path folder, String name, String extension) {
    Path file = folder.resolve(name + extension);
    for (int suffix = 1; Files.exists(file); suffix++) file = folder.resolve(name + "_" + suffix + extension);
    if (!file.getFileName().toString().equals(name + extension)) {
      Log.warn(folder.resolve(name + extension) + " exists (an earlier run's); writing " + file.getFileName() + " instead");
    }
    return file;
  }

  private static int[] rows(ModelBundle bundle, Table table, Split split) {
    if (split == Split.FULL) return java.util.stream.IntStream.range(0, table.rowCount()).toArray();
    SplitIndices s = Splitter.split(table, bundle.config().preprocessing().split(), bundle.metadata().randomSeed());
    return switch (split) {
      case TRAINING -> s.train();
      case VALIDATION -> s.validation();
      case TEST -> s.test();
      case FULL -> throw new IllegalStateException();
    };
  }
}
