package dev.fidelio.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training API (Fidelio.train / experiment) on the Auto MPG example, cut to a few epochs: rows in
 * memory train exactly as the same rows in a CSV file; a run cancelled from another thread in the
 * middle of an epoch and resumed ends with the files of a run never cancelled; two runs at once in
 * one JVM end as each does alone.
 */
class TrainingApiTest {
  private static final Path ROOT = Path.of(System.getProperty("fidelio.root", ".."));
  private static final Path CARS = ROOT.resolve("examples/tabular/cars.csv");
  /** Files of a finished run that depend only on config, data and seed. */
  private static final List<String> SAME = List.of("model/model_weights.safetensors", "training_statistics.json",
      "training_log.csv");

  private static ModelConfig config(int epochs, double dropout, int stepsPerCheckpoint) {
    return ModelConfig.fromYaml("""
        input_features:
          - {name: cylinders, type: number}
          - {name: displacement, type: number}
          - {name: horsepower, type: number, preprocessing: {missing_value_strategy: fill_with_mean}}
          - {name: weight, type: number}
          - {name: year, type: number, preprocessing: {normalization: minmax}}
          - {name: origin, type: category, encoder: {type: dense, embedding_size: 4}}
        output_features:
          - {name: mpg, type: number}
        combiner: {type: concat, num_fc_layers: 2, output_size: 32, dropout: %s}
        trainer: {epochs: %d, batch_size: 16, learning_rate: 0.003, early_stop: -1, steps_per_checkpoint: %d}
        """.formatted(dropout, epochs, stepsPerCheckpoint));
  }

  private static TrainOptions options(Path dir, String name) {
    // The preprocessed store in the test's folder, never beside the example's data.
    return TrainOptions.defaults().outputDirectory(dir.resolve(name)).cacheDirectory(dir.resolve("cache-" + name))
        .randomSeed(7);
  }

  @Test
  void rowsInMemoryTrainExactlyAsTheSameRowsInACsvFile(@TempDir Path dir) throws IOException {
    ModelConfig config = config(4, 0.0, 20);
    TrainingResult fromFile = Fidelio.train(config, TrainingData.file(CARS), options(dir, "file"));

    // The rows as an application holds them: numbers as numbers, text as text, missing cells as null.
    Table table = DatasetReader.read(CARS);
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (int r = 0; r < table.rowCount(); r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (String column : table.columnNames()) {
        String cell = table.cell(r, column);
        Object value = cell == null ? null : column.equals("name") || column.equals("origin") ? cell
            : Double.valueOf(cell);
        row.put(column, value);
        columns.computeIfAbsent(column, c -> new ArrayList<>()).add(value);
      }
      rows.add(row);
    }
    TrainingResult fromRows = Fidelio.train(config, TrainingData.rows(rows), options(dir, "rows"));
    TrainingResult fromColumns = Fidelio.train(config, TrainingData.columns(columns), options(dir, "columns"));

    assertTrue(fromFile.trainingStatistics().series("validation", "mpg", "mean_squared_error").size() >= 4,
        fromFile.trainingStatistics().toString());
    assertEquals(fromFile.trainingStatistics(), fromRows.trainingStatistics());
    assertEquals(fromFile.trainingStatistics(), fromColumns.trainingStatistics());
    assertSameFiles(fromFile.resultsDirectory(), fromRows.resultsDirectory());
    assertEquals(fromFile.steps(), fromRows.steps());
  }

  @Test
  void cancelledMidEpochFromAnotherThreadThenResumedEndsLikeAnUninterruptedRun(@TempDir Path dir) throws Exception {
    // Dropout on: the resumed run must also draw the same random numbers from the checkpointed generator.
    ModelConfig config = config(4, 0.2, 8);
    TrainingResult uninterrupted = Fidelio.train(config, TrainingData.file(CARS), options(dir, "reference"));
    long stepsPerEpoch = uninterrupted.steps() / 4;
    long cancelAt = stepsPerEpoch + stepsPerEpoch / 2 + 1;  // in epoch 2, between two evaluations
    assertTrue(cancelAt % stepsPerEpoch != 0 && cancelAt % 8 != 0, "step " + cancelAt + " must be mid-epoch");

    Cancellation cancellation = new Cancellation();
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    Thread canceller = Thread.ofPlatform().start(() -> {
      try {
        reached.await();
        cancellation.cancel();
        cancelled.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onStep(Step step) {
        if (step.step() != cancelAt) return;
        reached.countDown();
        try {
          assertTrue(cancelled.await(30, TimeUnit.SECONDS), "the other thread did not cancel");
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    TrainOptions options = options(dir, "cancelled").listener(listener).cancellation(cancellation);
    TrainingCancelledException stopped = assertThrows(TrainingCancelledException.class,
        () -> Fidelio.train(config, TrainingData.file(CARS), options));
    canceller.join();
    assertEquals(cancelAt, stopped.step());
    assertTrue(Files.isDirectory(stopped.resultsDirectory().resolve("training_checkpoints/checkpoint-" + cancelAt)),
        "no checkpoint at the cancelled step in " + stopped.resultsDirectory());

    TrainingResult resumed = Fidelio.train(config, TrainingData.file(CARS),
        options(dir, "cancelled").resumeFrom(stopped.resultsDirectory()));
    assertEquals(stopped.resultsDirectory(), resumed.resultsDirectory());
    assertEquals(uninterrupted.steps(), resumed.steps());
    assertEquals(uninterrupted.trainingStatistics(), resumed.trainingStatistics());
    assertSameFiles(uninterrupted.resultsDirectory(), resumed.resultsDirectory());
  }

  @Test
  void twoModelsTrainedAtOnceEndAsEachDoesAlone(@TempDir Path dir) throws Exception {
    ModelConfig small = config(3, 0.0, 20);
    ModelConfig other = ModelConfig.fromYaml(small.toYaml().replace("learning_rate: 0.003", "learning_rate: 0.01"));
    TrainingResult aloneA = Fidelio.train(small, TrainingData.file(CARS), options(dir, "alone-a"));
    TrainingResult aloneB = Fidelio.train(other, TrainingData.file(CARS), options(dir, "alone-b").randomSeed(8));
    assertNotEquals(aloneA.trainingStatistics(), aloneB.trainingStatistics());

    // Each run waits at its first step until the other has started too: the two surely overlap.
    CountDownLatch bothStarted = new CountDownLatch(2);
    AtomicInteger steps = new AtomicInteger();
    TrainingListener overlap = new TrainingListener() {
      @Override
      public void onStep(Step step) {
        steps.incrementAndGet();
        if (step.step() != 1) return;
        bothStarted.countDown();
        try {
          assertTrue(bothStarted.await(60, TimeUnit.SECONDS), "the other run never started");
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<TrainingResult> a = pool.submit(() -> Fidelio.train(small, TrainingData.file(CARS),
          options(dir, "together-a").listener(overlap)));
      Future<TrainingResult> b = pool.submit(() -> Fidelio.train(other, TrainingData.file(CARS),
          options(dir, "together-b").randomSeed(8).listener(overlap)));
      TrainingResult togetherA = a.get(5, TimeUnit.MINUTES);
      TrainingResult togetherB = b.get(5, TimeUnit.MINUTES);
      assertEquals(aloneA.steps() + aloneB.steps(), steps.get());
      assertEquals(aloneA.trainingStatistics(), togetherA.trainingStatistics());
      assertEquals(aloneB.trainingStatistics(), togetherB.trainingStatistics());
      assertSameFiles(aloneA.resultsDirectory(), togetherA.resultsDirectory());
      assertSameFiles(aloneB.resultsDirectory(), togetherB.resultsDirectory());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertSameFiles(Path expected, Path actual) throws IOException {
    for (String file : SAME) {
      assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(actual.resolve(file)),
          file + " of " + actual + " differs from " + expected);
    }
  }
}
