package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.api.FidelioModel;
import dev.fidelio.experiment.Experiment;
import dev.fidelio.weights.SafetensorsReader;
import dev.fidelio.weights.StateDict;
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
 * Ludwig's decoder fc_layers: each output decodes the combiner's output through its own layers
 * before its head. A two-output model (category through a ReLU layer, number through a bias-free
 * layer and a layer-norm layer) learns both, saves the layers under the output's name, and reloads
 * for prediction.
 */
class DecoderLayersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void outputsDecodeThroughTheirOwnLayers(@TempDir Path dir) throws Exception {
    Random random = new Random(8);
    List<String> lines = new ArrayList<>(List.of("x,c,y,z"));
    for (int i = 0; i < 300; i++) {
      double x = random.nextGaussian();
      String c = "abc".substring(i % 3, i % 3 + 1);
      double shift = c.equals("a") ? 1 : c.equals("b") ? -1 : 0;
      lines.add(String.format(Locale.ROOT, "%.4f,%s,%s,%.4f", x, c, x + shift > 0 ? "up" : "down",
          2 * x * x + shift));
    }
    Path data = dir.resolve("data.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features: [{name: x, type: number}, {name: c, type: category}]
        output_features:
          - {name: y, type: category, decoder: {type: classifier, num_fc_layers: 1, fc_output_size: 16}}
          - name: z
            type: number
            decoder:
              type: regressor
              fc_layers: [{output_size: 16, activation: relu, use_bias: false}, {output_size: 8, norm: layer}]
        combiner: {type: concat, fc_layers: [{output_size: 16}]}
        trainer: {epochs: 30, batch_size: 32, learning_rate: 0.01, validation_field: combined}
        """);
    // validation_field combined: both outputs pick the best model (Ludwig's default is the first output alone).
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "d", "run", 6), true);

    JsonNode test = JSON.readTree(results.resolve("test_statistics.json").toFile());
    assertTrue(test.path("y").path("accuracy").asDouble() >= 0.9, test.path("y").toString());
    assertTrue(test.path("z").path("r2").asDouble() >= 0.8, test.path("z").toString());

    StateDict weights = SafetensorsReader.read(results.resolve("model/model_weights.safetensors")).tensors();
    for (String name : List.of("output_features.y.fc_stack.layers.0.dense.weight",
        "output_features.z.fc_stack.layers.1.dense.weight", "output_features.z.fc_stack.layers.1.norm.weight",
        "output_features.y.dense.weight")) {
      assertTrue(weights.contains(name), name);
    }
    assertEquals(16, weights.get("output_features.y.dense.weight").shape()[1], "the head reads the decoder's 16");
    assertTrue(!weights.contains("output_features.z.fc_stack.layers.0.dense.bias")
        && weights.contains("output_features.z.fc_stack.layers.1.dense.bias"), "use_bias: false drops that bias alone");

    try (FidelioModel model = FidelioModel.load(results.resolve("model"))) {
      var predictions = model.predict(List.of(Map.of("x", 2.0, "c", "a"), Map.of("x", -2.0, "c", "b")));
      assertEquals("up", predictions.row(0).get("y_predictions"));
      assertEquals("down", predictions.row(1).get("y_predictions"));
    }
  }
}
