package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tabular models end to end: the Auto MPG example (number and category inputs, a number output)
 * learns, and its saved model reproduces the test metrics from raw rows; a multi-task model
 * (binary and one-hot category inputs, number and binary outputs with loss weights, ghost norm,
 * residual combiner) learns both targets and weighs their losses as configured.
 */
class TabularExperimentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void autoMpgExampleLearnsAndItsSavedModelReproducesTheMetrics(@TempDir Path dir) throws Exception {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Path config = dir.resolve("config.yaml");
    // The example's config, fewer epochs to keep the suite quick.
    Files.writeString(config, Files.readString(root.resolve("examples/tabular/config.yaml"))
        .replace("epochs: 150", "epochs: 40"));
    Path data = root.resolve("examples/tabular/cars.csv");
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "cars", "run", 42), true);
    JsonNode test = JSON.readTree(results.resolve("test_statistics.json").toFile()).path("mpg");
    assertTrue(test.path("r2").asDouble() > 0.7, "test r2 " + test);

    Path evaluation = dir.resolve("evaluation");
    Evaluation.run(results.resolve("model"), data, Evaluation.Split.TEST, evaluation, true, 64);
    JsonNode again = JSON.readTree(evaluation.resolve("test_statistics.json").toFile()).path("mpg");
    assertEquals(test.path("r2").asDouble(), again.path("r2").asDouble(), 1e-6,
        "the saved model normalises with the saved training statistics");
    assertEquals(test.path("mean_absolute_error").asDouble(), again.path("mean_absolute_error").asDouble(), 1e-5);
  }

  @Test
  void multiTaskModelLearnsBothOutputsWithWeightedLosses(@TempDir Path dir) throws Exception {
    Random random = new Random(3);
    List<String> lines = new ArrayList<>(List.of("x1,x2,flag,kind,amount,alarm"));
    for (int i = 0; i < 600; i++) {
      double x1 = random.nextGaussian() * 3 + 10, x2 = random.nextDouble() * 100;
      boolean flag = random.nextBoolean();
      String kind = List.of("a", "b", "c").get(random.nextInt(3));
      double amount = 2 * x1 - 0.05 * x2 + (kind.equals("a") ? 4 : kind.equals("b") ? -4 : 0) + random.nextGaussian() * 0.3;
      boolean alarm = flag ^ (x1 > 10);
      String x2Cell = i % 17 == 0 ? "" : String.format(Locale.ROOT, "%.3f", x2);  // some missing values
      lines.add(String.format(Locale.ROOT, "%.3f,%s,%s,%s,%.3f,%s", x1, x2Cell, flag ? "yes" : "no", kind, amount,
          alarm ? "on" : "off"));
    }
    Path data = dir.resolve("synthetic.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features:
          - {name: x1, type: number}
          - {name: x2, type: number, preprocessing: {normalization: minmax, missing_value_strategy: fill_with_mean}}
          - {name: flag, type: binary}
          - {name: kind, type: category, encoder: {type: onehot}}
        output_features:
          - {name: amount, type: number, loss: {type: mean_squared_error, weight: 0.5}}
          - {name: alarm, type: binary, loss: {weight: 2.0}}
        combiner:
          type: concat
          residual: true
          fc_layers:
            - {output_size: 32}
            - {output_size: 32, norm: ghost, norm_params: {virtual_batch_size: 8}}
            - {output_size: 32, norm: layer}
        trainer: {epochs: 60, batch_size: 32, learning_rate: 0.003, early_stop: -1}
        """);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "multi", "run", 5), true);
    JsonNode test = JSON.readTree(results.resolve("test_statistics.json").toFile());
    assertTrue(test.path("amount").path("r2").asDouble() > 0.9, "amount: " + test.path("amount"));
    assertTrue(test.path("alarm").path("accuracy").asDouble() > 0.85, "alarm: " + test.path("alarm"));
    // The combined loss is the weighted sum of the output losses (mse for amount, cross-entropy for alarm).
    double weighted = 0.5 * test.path("amount").path("mean_squared_error").asDouble()
        + 2.0 * test.path("alarm").path("loss").asDouble();
    assertEquals(weighted, test.path("combined").path("loss").asDouble(), 1e-3 * weighted);
  }

  @Test
  void normalizedNumberOutputLearnsOnTheModelScaleAndPredictsInTheUsersUnits(@TempDir Path dir) throws Exception {
    // A target in the tens of thousands: the model learns its z-score, predictions and metrics come back in
    // the target's own units, and the loss is measured on the z-score scale.
    Random random = new Random(11);
    List<String> lines = new ArrayList<>(List.of("x,price"));
    for (int i = 0; i < 400; i++) {
      double x = random.nextGaussian();
      lines.add(String.format(Locale.ROOT, "%.4f,%.2f", x, 50000 + 20000 * x + random.nextGaussian() * 500));
    }
    Path data = dir.resolve("prices.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features:
          - {name: x, type: number}
        output_features:
          - {name: price, type: number, preprocessing: {normalization: zscore}}
        combiner: {type: concat, num_fc_layers: 1, output_size: 16}
        trainer: {epochs: 40, batch_size: 32, learning_rate: 0.01, early_stop: -1}
        """);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "prices", "run", 1), true);
    JsonNode price = JSON.readTree(results.resolve("test_statistics.json").toFile()).path("price");
    assertTrue(price.path("r2").asDouble() > 0.95, "price: " + price);
    assertTrue(price.path("mean_absolute_error").asDouble() < 3000, "in the target's units: " + price);
    double std = 20000;  // about the training split's standard deviation
    assertEquals(price.path("mean_squared_error").asDouble() / (std * std), price.path("loss").asDouble(),
        0.3 * price.path("loss").asDouble(), "the loss is the mse of z-scores: " + price);
    List<String> predictions = Files.readAllLines(results.resolve("predictions.csv"));
    double mean = predictions.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[0])).average()
        .orElseThrow();
    assertEquals(50000, mean, 5000, "predictions.csv is in the target's units: " + predictions.subList(0, 3));
  }
}
