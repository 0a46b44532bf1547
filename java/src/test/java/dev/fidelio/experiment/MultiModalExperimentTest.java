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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text and tabular inputs in one model: a number and a category input before and after a frozen
 * MiniLM text input with cached embeddings (so cached and raw columns sit between tabular ones),
 * trained on a slice of the spam example; the saved model, running the real encoder on raw text and
 * normalising with the saved statistics, reproduces the test metrics.
 */
class MultiModalExperimentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void textAndTabularInputsTrainTogetherAndTheSavedModelAgrees(@TempDir Path dir) throws Exception {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 200; r++) {
      String text = spam.cell(r, "text");
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("length", text.length());
      row.put("text", text);
      row.put("has_dollar", text.contains("$") ? "yes" : "no");
      row.put("label", spam.cell(r, "label"));
      lines.add(JSON.writeValueAsString(row));
    }
    Path data = dir.resolve("slice.jsonl");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features:
          - {name: length, type: number, preprocessing: {normalization: log1p}}
          - name: text
            type: text
            encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                      trainable: false, reduce_output: mean}
            preprocessing: {max_sequence_length: 32, cache_encoder_embeddings: true}
          - {name: has_dollar, type: category, encoder: {type: onehot}}
        output_features:
          - {name: label, type: category}
        combiner: {type: concat, num_fc_layers: 1, output_size: 16, norm: layer}
        trainer: {epochs: 8, batch_size: 16, learning_rate: 0.003, early_stop: -1}
        """);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "mm", "run", 11), true);
    JsonNode test = JSON.readTree(results.resolve("test_statistics.json").toFile()).path("label");
    assertTrue(test.path("accuracy").asDouble() >= 0.7, "test accuracy " + test);

    Path evaluation = dir.resolve("evaluation");
    Evaluation.run(results.resolve("model"), data, Evaluation.Split.TEST, evaluation, true, 32);
    JsonNode again = JSON.readTree(evaluation.resolve("test_statistics.json").toFile()).path("label");
    assertEquals(test.path("accuracy").asDouble(), again.path("accuracy").asDouble(), 1e-9);
    assertEquals(test.path("loss").asDouble(), again.path("loss").asDouble(), 1e-4);
  }
}
