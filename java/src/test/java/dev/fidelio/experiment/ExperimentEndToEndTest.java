package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole text path on real data: a 300-row slice of the spam example, the bundled MiniLM frozen
 * with cached embeddings; then evaluate of the saved model, which runs the real encoder on raw text.
 */
class ExperimentEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void trainsEvaluatesAndPredictsFromRawText(@TempDir Path dir) throws Exception {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    // The first 300 rows of the example, as JSON Lines (so this also runs the JSONL reader).
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 300; r++) {
      lines.add(JSON.writeValueAsString(Map.of("text", spam.cell(r, "text"), "label", spam.cell(r, "label"))));
    }
    Path data = dir.resolve("spam-slice.jsonl");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features:
          - name: text
            type: text
            encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                      trainable: false, reduce_output: mean}
            preprocessing: {max_sequence_length: 48, cache_encoder_embeddings: true}
        output_features:
          - {name: label, type: category}
        combiner: {type: concat, num_fc_layers: 1, output_size: 32}
        trainer: {epochs: 15, batch_size: 16, learning_rate: 0.002, early_stop: -1, optimizer: {type: adamw}}
        """);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "e2e", "run", 7), true);

    for (String file : List.of("description.json", "training_statistics.json", "test_statistics.json",
        "predictions.csv", "model/model_weights.safetensors", "model/model_hyperparameters.json",
        "model/training_set_metadata.json", "model/text_tokenizer.json")) {
      assertTrue(Files.exists(results.resolve(file)), file + " is missing");
    }
    JsonNode training = JSON.readTree(results.resolve("training_statistics.json").toFile());
    JsonNode losses = training.path("training").path("combined").path("loss");
    assertTrue(losses.get(losses.size() - 1).asDouble() < 0.5 * losses.get(0).asDouble(),
        "training loss must fall: " + losses);
    double accuracy = JSON.readTree(results.resolve("test_statistics.json").toFile()).path("label").path("accuracy")
        .asDouble();
    assertTrue(accuracy >= 0.8, "test accuracy " + accuracy);

    // The saved model predicts from raw text with the real encoder: same metrics as the cached path.
    Path evaluation = dir.resolve("evaluation");
    Evaluation.run(results.resolve("model"), data, Evaluation.Split.TEST, evaluation, true, 32);
    JsonNode stats = JSON.readTree(evaluation.resolve("test_statistics.json").toFile()).path("label");
    assertEquals(accuracy, stats.path("accuracy").asDouble(), 1e-9);
    assertEquals(JSON.readTree(results.resolve("test_statistics.json").toFile()).path("label").path("loss").asDouble(),
        stats.path("loss").asDouble(), 1e-4);
    assertEquals(Files.readAllLines(results.resolve("predictions.csv")).size(),
        Files.readAllLines(evaluation.resolve("predictions.csv")).size());
  }
}
