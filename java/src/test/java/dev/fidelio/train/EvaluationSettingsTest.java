package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.experiment.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trainer.evaluate_training_set records the training split's full metrics at every evaluation;
 * trainer.skip_all_evaluation evaluates nothing while training and keeps the last model;
 * trainer.eval_steps evaluates only that many batches.
 */
class EvaluationSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path run(Path dir, String trainerExtras) throws Exception {
    Random random = new Random(2);
    List<String> lines = new ArrayList<>(List.of("x,y"));
    for (int i = 0; i < 120; i++) {
      double x = random.nextGaussian();
      lines.add(String.format(Locale.ROOT, "%.4f,%s", x, x > 0 ? "up" : "down"));
    }
    Path data = dir.resolve("data.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: category}]
        trainer: {epochs: 3, batch_size: 16, learning_rate: 0.05, %s}
        """.formatted(trainerExtras));
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "e", "run", 4), true);
  }

  @Test
  void evaluateTrainingSetRecordsTheTrainingSplitsMetrics(@TempDir Path dir) throws Exception {
    JsonNode stats = JSON.readTree(run(dir, "evaluate_training_set: true").resolve("training_statistics.json").toFile());
    JsonNode training = stats.path("training");
    assertEquals(3, training.path("y").path("accuracy").size(), training.toString());
    assertEquals(3, training.path("combined").path("loss").size(), training.toString());
    assertEquals(3, stats.path("validation").path("y").path("accuracy").size());
    assertTrue(training.path("y").path("accuracy").get(2).asDouble() > 0.8, training.toString());
  }

  @Test
  void skipAllEvaluationKeepsTheLastModelAndRecordsOnlyTheTrainingLoss(@TempDir Path dir) throws Exception {
    Path results = run(dir, "skip_all_evaluation: true, early_stop: 1");
    JsonNode stats = JSON.readTree(results.resolve("training_statistics.json").toFile());
    assertFalse(stats.has("validation") || stats.has("test"), stats.toString());
    assertEquals(3, stats.path("training").path("combined").path("loss").size(), "no early stop without evaluation");
    assertTrue(Files.exists(results.resolve("model/model_weights.safetensors")));
    JsonNode test = JSON.readTree(results.resolve("test_statistics.json").toFile());
    assertTrue(test.path("y").path("accuracy").asDouble() > 0.8, "the experiment still evaluates the test split: " + test);
  }

  @Test
  void evalStepsEvaluatesThatManyBatches(@TempDir Path dir) throws Exception {
    // One batch of 4 rows per evaluation: every accuracy is a multiple of 1/4 (of 12 validation rows it need not be).
    JsonNode stats = JSON.readTree(run(dir, "eval_steps: 1, eval_batch_size: 4").resolve("training_statistics.json")
        .toFile());
    JsonNode accuracies = stats.path("validation").path("y").path("accuracy");
    assertEquals(3, accuracies.size());
    accuracies.forEach(a -> assertEquals(0, (a.asDouble() * 4) % 1, 1e-9, "accuracy " + a + " of 4 rows"));
    JsonNode full = JSON.readTree(run(Files.createDirectories(dir.resolve("full")), "eval_batch_size: 4").resolve("training_statistics.json")
        .toFile()).path("validation").path("y").path("accuracy");
    boolean quarters = true;
    for (JsonNode a : full) quarters &= Math.abs((a.asDouble() * 4) % 1) < 1e-9;
    assertFalse(quarters, "without eval_steps every validation row counts: " + full);
  }
}
