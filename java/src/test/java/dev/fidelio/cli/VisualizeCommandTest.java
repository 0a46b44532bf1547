package dev.fidelio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `fidelio visualize --visualization learning_curves` draws one PNG per feature and metric. */
class VisualizeCommandTest {
  @Test
  void learningCurvesArePngPlots(@TempDir Path dir) throws Exception {
    Path statistics = Files.writeString(dir.resolve("training_statistics.json"), """
        {"training": {"combined": {"loss": [0.9, 0.5, 0.3]}},
         "validation": {"label": {"loss": [0.8, 0.6, 0.5], "accuracy": [0.6, 0.7, 0.75], "roc_auc": ["NaN", 0.7, 0.8]},
                        "combined": {"loss": [0.8, 0.6, 0.5]}},
         "test": {"label": {"loss": [0.85, 0.62, 0.52], "accuracy": [0.55, 0.72, 0.74], "roc_auc": [0.6, 0.7, 0.8]},
                  "combined": {"loss": [0.85, 0.62, 0.52]}},
         "learning_rate": [0.001, 0.001, 0.0005]}
        """);
    Path out = dir.resolve("plots");
    int code = FidelioCli.commandLine().execute("visualize", "--visualization", "learning_curves",
        "--training_statistics", statistics.toString(), "--output_directory", out.toString());
    assertEquals(0, code);
    for (String name : new String[] {"combined_loss", "label_loss", "label_accuracy", "label_roc_auc",
        "learning_rate"}) {
      Path png = out.resolve("learning_curves_" + name + ".png");
      assertTrue(Files.exists(png), png + " missing");
      BufferedImage image = ImageIO.read(png.toFile());
      assertEquals(800, image.getWidth());
      assertEquals(500, image.getHeight());
      Set<Integer> colours = new HashSet<>();
      for (int x = 0; x < image.getWidth(); x += 7) {
        for (int y = 0; y < image.getHeight(); y += 7) colours.add(image.getRGB(x, y));
      }
      assertTrue(colours.size() > 3, name + ": a blank image");
    }
    try (var files = Files.list(out)) {
      assertEquals(5, files.count());
    }
  }

  @Test
  void unknownFeatureIsAClearError(@TempDir Path dir) throws Exception {
    Path statistics = Files.writeString(dir.resolve("s.json"), "{\"validation\": {\"label\": {\"loss\": [1.0]}}}");
    int code = FidelioCli.commandLine().execute("visualize", "--visualization", "learning_curves",
        "--training_statistics", statistics.toString(), "--output_feature_name", "lable",
        "--output_directory", dir.resolve("p").toString());
    assertEquals(1, code);
  }
}
