package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.SafetensorsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trainer.regularization_type with regularization_lambda: the same run (same data, seed and batches)
 * ends with smaller weights, and a larger lambda shrinks them more, as Ludwig's added lambda *
 * sum(p^2) (l2), lambda * sum|p| (l1) or both (l1_l2) does; l1's norm is sum|p|, l2's sqrt(sum p^2).
 * The exact gradient is model.RegularizationGradientTest's.
 */
class RegularizationTest {

  private static double weightNorm(Path dir, String trainer) throws Exception {
    return norms(dir, trainer)[1];
  }

  /** The final weights' sum|p| and sqrt(sum p^2). */
  private static double[] norms(Path dir, String trainer) throws Exception {
    Files.createDirectories(dir);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features: [{name: a, type: number}, {name: b, type: number}, {name: c, type: number}]
        output_features: [{name: y, type: number}]
        combiner: {type: concat, num_fc_layers: 1, output_size: 16}
        trainer: {epochs: 8, batch_size: 32, learning_rate: 0.01, early_stop: -1, skip_all_evaluation: true, %s}
        """.formatted(trainer));
    Random random = new Random(5);
    List<String> lines = new ArrayList<>(List.of("a,b,c,y"));
    for (int i = 0; i < 400; i++) {
      double a = random.nextGaussian(), b = random.nextGaussian(), c = random.nextGaussian();
      lines.add(String.format(Locale.ROOT, "%f,%f,%f,%f", a, b, c, 3 * a - 2 * b + 0.5 * c + 0.1 * random.nextGaussian()));
    }
    Path data = dir.resolve("data.csv");
    Files.write(data, lines);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "reg", "run", 7), false);
    double absolute = 0, squares = 0;
    for (NamedTensor t : SafetensorsReader.read(results.resolve("model/model_weights.safetensors")).tensors()) {
      for (float v : t.data()) {
        absolute += Math.abs(v);
        squares += (double) v * v;
      }
    }
    return new double[] {absolute, Math.sqrt(squares)};
  }

  @Test
  void l2RegularizationShrinksTheWeights(@TempDir Path dir) throws Exception {
    double none = weightNorm(dir.resolve("none"), "regularization_lambda: 0");
    double some = weightNorm(dir.resolve("some"), "regularization_type: l2, regularization_lambda: 0.01");
    double more = weightNorm(dir.resolve("more"), "regularization_type: l2, regularization_lambda: 0.1");
    assertTrue(some < none && more < some, "weight norms: lambda 0 " + none + ", 0.01 " + some + ", 0.1 " + more);
  }

  @Test
  void l1AndL1L2ShrinkTheWeights(@TempDir Path dir) throws Exception {
    double none = norms(dir.resolve("none"), "regularization_lambda: 0")[0];
    double l1 = norms(dir.resolve("l1"), "regularization_type: l1, regularization_lambda: 0.01")[0];
    double more = norms(dir.resolve("more"), "regularization_type: l1, regularization_lambda: 0.1")[0];
    double both = norms(dir.resolve("both"), "regularization_type: l1_l2, regularization_lambda: 0.1")[0];
    assertTrue(l1 < none && more < l1 && both < more, "sum |p|: lambda 0 " + none + ", l1 0.01 " + l1 + ", l1 0.1 "
        + more + ", l1_l2 0.1 " + both);
  }
}
