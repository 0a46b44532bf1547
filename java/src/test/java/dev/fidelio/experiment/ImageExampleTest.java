package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image example as shipped (examples/images: scikit-learn's digits as PNG files), both
 * configs unchanged: a ResNet-18 trained from scratch, and a frozen ResNet-18 with cached features.
 * Each must reach test accuracy >= 0.9; the frozen model, reloaded, must give the same test metrics
 * from the raw PNG files through its real encoder as training gave from the cached features.
 */
class ImageExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLE = Path.of(System.getProperty("fidelio.root", "..")).resolve("examples/images");

  private static double testAccuracy(Path results) throws Exception {
    return JSON.readTree(results.resolve("test_statistics.json").toFile()).path("label").path("accuracy").asDouble();
  }

  @Test
  void trainableResNetFromScratchReachesNinetyPercent(@TempDir Path dir) throws Exception {
    Path results = Experiment.run(EXAMPLE.resolve("config.yaml"), EXAMPLE.resolve("digits.csv"),
        new Experiment.Settings(dir, "digits", "trainable", 42, dir.resolve("store")), true);
    double accuracy = testAccuracy(results);
    System.out.println("digits, trainable resnet18: test accuracy " + accuracy);
    assertTrue(accuracy >= 0.9, "test accuracy " + accuracy);
  }

  @Test
  void frozenCachedResNetReachesNinetyPercentAndPredictsFromRawImages(@TempDir Path dir) throws Exception {
    Path results = Experiment.run(EXAMPLE.resolve("frozen_cached.yaml"), EXAMPLE.resolve("digits.csv"),
        new Experiment.Settings(dir, "digits", "frozen", 42, dir.resolve("store")), true);
    double accuracy = testAccuracy(results);
    System.out.println("digits, frozen resnet18 + cached features: test accuracy " + accuracy);
    assertTrue(accuracy >= 0.9, "test accuracy " + accuracy);
    JsonNode description = JSON.readTree(results.resolve("description.json").toFile());
    assertTrue(description.toString().contains("image_path"), "the cached feature is recorded: " + description);

    Path evaluation = dir.resolve("evaluation");
    Evaluation.run(results.resolve("model"), EXAMPLE.resolve("digits.csv"), Evaluation.Split.TEST, evaluation, true, 64);
    JsonNode stats = JSON.readTree(evaluation.resolve("test_statistics.json").toFile()).path("label");
    assertEquals(accuracy, stats.path("accuracy").asDouble(), 1e-9);
  }
}
