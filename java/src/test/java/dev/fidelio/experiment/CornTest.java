package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.config.ConfigException;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * loss.type corn (Ludwig's ordinal CORN) on four ordered levels of one number: the model learns them,
 * and every prediction is ordinal-consistent: its cumulative probabilities never rise with the level,
 * and the predicted level is how many of the first three exceed 0.5 (Ludwig's _CategoryPredict).
 */
class CornTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void cornLearnsOrderedLevelsAndPredictsFromCumulativeProbabilities(@TempDir Path dir) throws Exception {
    // Levels 0..3 hold 40/30/20/10% of the rows: Ludwig orders a vocabulary by frequency, so class ids follow
    // the levels.
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      double x = i / 400.0;
      rows.add(String.format(Locale.ROOT, "%f,%d", x, x < 0.4 ? 0 : x < 0.7 ? 1 : x < 0.9 ? 2 : 3));
    }
    Collections.shuffle(rows, new Random(3));
    rows.addFirst("x,level");
    Path data = dir.resolve("levels.csv");
    Files.write(data, rows);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features: [{name: x, type: number, preprocessing: {normalization: zscore}}]
        output_features: [{name: level, type: category, loss: {type: corn}}]
        combiner: {type: concat, num_fc_layers: 1, output_size: 16}
        trainer: {epochs: 40, batch_size: 16, learning_rate: 0.01, early_stop: -1}
        """);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "c", "run", 7), true);

    double accuracy = JSON.readTree(results.resolve("test_statistics.json").toFile()).path("level").path("accuracy")
        .asDouble();
    assertTrue(accuracy > 0.85, "corn learns the levels: test accuracy " + accuracy);
    Table predictions = DatasetReader.read(results.resolve("predictions.csv"));
    assertTrue(predictions.rowCount() > 0);
    for (int r = 0; r < predictions.rowCount(); r++) {
      float[] cumulative = new float[4];
      for (int k = 0; k < 4; k++) cumulative[k] = Float.parseFloat(predictions.cell(r, "level_probabilities_" + k));
      int above = 0;
      while (above < 3 && cumulative[above] > 0.5f) above++;
      for (int k = 1; k < 4; k++) {
        assertTrue(cumulative[k] <= cumulative[k - 1], "row " + r + ": P(level > k) rises with k");
      }
      assertEquals(Integer.toString(above), predictions.cell(r, "level_predictions"), "row " + r);
    }
  }

  /** Ludwig's CORNLossConfig has type and weight only: class_weights is an unknown key there too. */
  @Test
  void cornRefusesClassWeightsAndCalibration() {
    var weights = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
        input_features: [{name: x, type: number}]
        output_features: [{name: level, type: category, loss: {type: corn, class_weights: [1, 2]}}]
        """));
    assertTrue(weights.getMessage().contains("output_features[0].loss.class_weights"), weights.getMessage());
    var calibration = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
        input_features: [{name: x, type: number}]
        output_features: [{name: level, type: category, calibration: true, loss: {type: corn}}]
        """));
    assertTrue(calibration.getMessage().contains("output_features[0].calibration")
        && calibration.getMessage().contains("corn") && calibration.getMessage().contains("use false"),
        calibration.getMessage());
  }
}
