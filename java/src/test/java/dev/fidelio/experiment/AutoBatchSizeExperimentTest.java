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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** batch_size: auto and eval_batch_size: auto on a slice of the spam example record their probe tables. */
class AutoBatchSizeExperimentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void probeTablesGoToDescriptionJson(@TempDir Path dir) throws Exception {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>(List.of("text,label"));
    for (int r = 0; r < 200; r++) {
      lines.add("\"" + spam.cell(r, "text").replace("\"", "\"\"") + "\"," + spam.cell(r, "label"));
    }
    Path data = Files.write(dir.resolve("slice.csv"), lines);
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        input_features:
          - name: text
            type: text
            encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                      trainable: false, reduce_output: mean}
            preprocessing: {max_sequence_length: 32, cache_encoder_embeddings: true}
        output_features:
          - {name: label, type: category}
        trainer: {epochs: 2, batch_size: auto, eval_batch_size: auto, learning_rate: 0.001}
        """);
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "auto", "run", 3),
        false);
    JsonNode description = JSON.readTree(results.resolve("description.json").toFile());
    JsonNode probe = description.path("batch_size_probe").path("batch_size");
    JsonNode trials = probe.path("trials");
    assertTrue(trials.size() >= 1, description.toPrettyString());
    assertEquals(2, trials.get(0).path("batch_size").asInt());
    int chosen = probe.path("chosen").asInt();
    assertEquals(chosen, description.path("training_plan").path("batch_size").asInt());
    // 140 training rows: 20% caps the probe at 28, so 16 is the largest candidate.
    assertTrue(chosen >= 2 && chosen <= 16, "chosen " + chosen);
    JsonNode eval = description.path("batch_size_probe").path("eval_batch_size");
    assertEquals(eval.path("chosen").asInt(), description.path("training_plan").path("eval_batch_size").asInt());
    assertTrue(Files.exists(results.resolve("batch_size_probe.json")));
  }
}
