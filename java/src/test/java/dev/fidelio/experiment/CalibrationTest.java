package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.api.FidelioModel;
import dev.fidelio.predict.OutputPredictions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * calibration: true on a category output: a wide network trained long on noisy labels is
 * over-confident; the same run with calibration (temperature scaling fitted on the validation split)
 * has a lower expected calibration error on 3,000 held-out rows it never saw, with the same
 * predicted classes. The temperature travels in the saved model, so the Java API applies it.
 */
class CalibrationTest {
  private static final String[] CLASSES = {"a", "b", "c"};

  /** Noisy 3-class labels from 3 informative and 5 irrelevant columns (easy to over-fit). */
  private static List<double[]> rows(Random random, int n) {
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] r = new double[9];
      for (int j = 0; j < 8; j++) r[j] = random.nextGaussian();
      double best = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 3; c++) {
        double score = r[c] + 1.2 * random.nextGaussian();
        if (score > best) {
          best = score;
          r[8] = c;
        }
      }
      rows.add(r);
    }
    return rows;
  }

  private static Path train(Path dir, Path data, boolean calibration) throws Exception {
    Files.createDirectories(dir);
    Path config = dir.resolve("config.yaml");
    StringBuilder inputs = new StringBuilder();
    for (int j = 0; j < 8; j++) inputs.append(j == 0 ? "" : ", ").append("{name: x").append(j).append(", type: number}");
    Files.writeString(config, """
        input_features: [%s]
        output_features: [{name: label, type: category, calibration: %s}]
        combiner: {type: concat, num_fc_layers: 3, output_size: 128}
        trainer: {epochs: 60, batch_size: 16, learning_rate: 0.005, early_stop: -1, skip_all_evaluation: true}
        """.formatted(inputs, calibration));
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "cal", "run", 3), false)
        .resolve("model");
  }

  /** 10 equal-width confidence bins: sum over bins of |accuracy - mean confidence| x share of rows. */
  private static double expectedCalibrationError(OutputPredictions.Category p, List<double[]> rows) {
    double[] confidence = new double[10], correct = new double[10];
    int[] count = new int[10];
    for (int i = 0; i < rows.size(); i++) {
      int predicted = p.predicted(i);
      double conf = p.probabilities()[i][predicted];
      int bin = Math.min(9, (int) (conf * 10));
      count[bin]++;
      confidence[bin] += conf;
      correct[bin] += p.classes().get(predicted).equals(CLASSES[(int) rows.get(i)[8]]) ? 1 : 0;
    }
    double ece = 0;
    for (int b = 0; b < 10; b++) if (count[b] > 0) ece += Math.abs(correct[b] - confidence[b]) / rows.size();
    return ece;
  }

  private static OutputPredictions.Category predict(Path model, List<double[]> rows) {
    List<Map<String, Object>> requests = new ArrayList<>();
    for (double[] r : rows) {
      Map<String, Object> row = new java.util.HashMap<>();
      for (int j = 0; j < 8; j++) row.put("x" + j, String.format(Locale.ROOT, "%f", r[j]));
      requests.add(row);
    }
    try (FidelioModel m = FidelioModel.load(model)) {
      return (OutputPredictions.Category) m.predict(requests).output("label");
    }
  }

  @Test
  void calibrationLowersExpectedCalibrationErrorOnHeldOutRows(@TempDir Path dir) throws Exception {
    Random random = new Random(17);
    List<String> lines = new ArrayList<>();
    StringBuilder header = new StringBuilder();
    for (int j = 0; j < 8; j++) header.append("x").append(j).append(',');
    lines.add(header + "label");
    for (double[] r : rows(random, 600)) {
      StringBuilder line = new StringBuilder();
      for (int j = 0; j < 8; j++) line.append(String.format(Locale.ROOT, "%f,", r[j]));
      lines.add(line + CLASSES[(int) r[8]]);
    }
    Path data = dir.resolve("noisy.csv");
    Files.write(data, lines);
    List<double[]> heldOut = rows(random, 3000);

    var raw = predict(train(dir.resolve("raw"), data, false), heldOut);
    var calibrated = predict(train(dir.resolve("calibrated"), data, true), heldOut);
    double before = expectedCalibrationError(raw, heldOut), after = expectedCalibrationError(calibrated, heldOut);
    assertTrue(after < before, "expected calibration error on held-out rows: " + before + " raw, " + after + " calibrated");
    for (int i = 0; i < heldOut.size(); i++) {
      assertEquals(raw.predicted(i), calibrated.predicted(i), "temperature scaling keeps the argmax, row " + i);
    }
  }
}
