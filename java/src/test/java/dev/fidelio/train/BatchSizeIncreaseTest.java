package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.experiment.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trainer.increase_batch_size_on_plateau: when the watched metric stops improving, the batch size
 * multiplies by the rate from the next epoch, at most the configured number of times and never
 * beyond max_batch_size; training_log.csv's rows per step show it.
 */
class BatchSizeIncreaseTest {

  /** Largest rows per step in each epoch, from training_log.csv. */
  private static Map<Integer, Integer> rowsPerEpoch(String trainer, Path dir) throws Exception {
    Files.createDirectories(dir);
    Random random = new Random(6);
    List<String> lines = new ArrayList<>(List.of("x,y"));
    for (int i = 0; i < 400; i++) {
      double x = random.nextGaussian();
      lines.add(String.format(Locale.ROOT, "%.4f,%s", x, x + 0.8 * random.nextGaussian() > 0 ? "up" : "down"));
    }
    Path data = dir.resolve("data.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: category}]
        trainer: {epochs: 8, batch_size: 8, learning_rate: 0.05, early_stop: -1, %s}
        """.formatted(trainer));
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "b", "run", 3), false);
    Map<Integer, Integer> rows = new LinkedHashMap<>();
    List<String> log = Files.readAllLines(results.resolve(TrainingLog.FILE));
    for (String line : log.subList(1, log.size())) {
      String[] cells = line.split(",");
      rows.merge(Integer.parseInt(cells[1]), Integer.parseInt(cells[4]), Math::max);
    }
    return rows;
  }

  @Test
  void batchSizeGrowsWhenTheMetricStallsFromTheNextEpoch(@TempDir Path dir) throws Exception {
    Map<Integer, Integer> rows = rowsPerEpoch("increase_batch_size_on_plateau: 2, increase_batch_size_on_plateau_patience:"
        + " 0, increase_batch_size_on_plateau_rate: 2.0, increase_batch_size_eval_split: validation,"
        + " increase_batch_size_eval_metric: accuracy, max_batch_size: 32", dir.resolve("grows"));
    assertEquals(8, rows.get(1), "epoch 1 trains at the configured batch size: " + rows);
    assertEquals(32, rows.get(8), "two increases of x2 by the last epoch: " + rows);
    for (int epoch = 2; epoch <= 8; epoch++) {
      int before = rows.get(epoch - 1), now = rows.get(epoch);
      assertTrue(now == before || now == 2 * before, "grows by the rate between epochs only: " + rows);
    }
    Map<Integer, Integer> fixed = rowsPerEpoch("increase_batch_size_on_plateau: 0", dir.resolve("fixed"));
    fixed.values().forEach(r -> assertEquals(8, r, "without it the batch stays: " + fixed));
  }

  @Test
  void theWatchedMetricMustBeTracked() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: category}]
        trainer: {increase_batch_size_on_plateau: 1, increase_batch_size_eval_split: validation,
                  increase_batch_size_eval_metric: r2}
        """));
    assertTrue(e.getMessage().contains("trainer.increase_batch_size_eval_metric") && e.getMessage().contains("'r2'"),
        e.getMessage());
  }
}
