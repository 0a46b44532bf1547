package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.SafetensorsReader;
import dev.fidelio.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A binary output's loss.robust_lambda is Ludwig's (1 - lambda) * loss + lambda / 2: the same
 * training as loss.weight (1 - lambda), and a different one from lambda 0 (two outputs share the
 * combiner, so a loss's weight changes what it learns).
 */
class RobustLambdaTest {

  private static StateDict train(Path dir, String binaryLoss) throws Exception {
    Files.createDirectories(dir);
    Random random = new Random(9);
    List<String> lines = new ArrayList<>(List.of("a,b,flag,amount"));
    for (int i = 0; i < 300; i++) {
      double a = random.nextGaussian(), b = random.nextGaussian();
      lines.add(String.format(Locale.ROOT, "%f,%f,%s,%f", a, b, a + 0.3 * random.nextGaussian() > 0, 2 * b - a));
    }
    Path data = dir.resolve("data.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features: [{name: a, type: number}, {name: b, type: number}]
        output_features: [{name: flag, type: binary, loss: {%s}}, {name: amount, type: number}]
        combiner: {type: concat, num_fc_layers: 1, output_size: 8}
        trainer: {epochs: 5, batch_size: 16, learning_rate: 0.01, skip_all_evaluation: true}
        """.formatted(binaryLoss));
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "r", "run", 4), false);
    return SafetensorsReader.read(results.resolve("model/model_weights.safetensors")).tensors();
  }

  private static double largestDifference(StateDict x, StateDict y) {
    double largest = 0;
    for (NamedTensor t : x) {
      float[] other = y.require(t.name()).data();
      for (int i = 0; i < other.length; i++) largest = Math.max(largest, Math.abs(t.data()[i] - other[i]));
    }
    return largest;
  }

  @Test
  void robustLambdaTrainsAsTheLossWeightOneMinusLambda(@TempDir Path dir) throws Exception {
    StateDict robust = train(dir.resolve("robust"), "robust_lambda: 0.5");
    StateDict halfWeight = train(dir.resolve("half"), "weight: 0.5");
    StateDict plain = train(dir.resolve("plain"), "robust_lambda: 0");
    assertTrue(largestDifference(robust, halfWeight) < 1e-6, "robust_lambda 0.5 = weight 0.5: "
        + largestDifference(robust, halfWeight));
    assertTrue(largestDifference(robust, plain) > 1e-3, "robust_lambda changes training: "
        + largestDifference(robust, plain));
  }
}
