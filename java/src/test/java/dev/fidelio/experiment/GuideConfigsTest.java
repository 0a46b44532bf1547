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

/**
 * The configurations of Ludwig's fine-tuning guide (ludwig-docs
 * docs/user_guide/distributed_training/finetuning.md), in the form the guide gives them, with
 * {@code defaults:}, run unchanged except for the encoder's name: answerdotai/ModernBERT-base is
 * not on disk here (nor a BertModel), so a small BERT folder stands in for it. The guide's configs
 * are partial; the features are the spam example's.
 */
class GuideConfigsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** "Suggested Configuration": full fine-tuning, batch_size auto, warmup and linear decay, bf16, compile. */
  private static final String FULL_FINE_TUNING = """
      input_features:
        - name: text
          type: text
      output_features:
        - name: label
          type: category
      defaults:
        text:
          encoder:
            type: bert
            pretrained_model_name_or_path: answerdotai/ModernBERT-base
            trainable: true
      trainer:
        epochs: 5
        batch_size: auto
        learning_rate: 0.00001
        learning_rate_scheduler:
          warmup_fraction: 0.2
          decay: linear
        optimizer:
          type: adamw
        use_mixed_precision: true
        compile: true
      """;

  /** "Cache Encoder Embeddings", with the encoder and preprocessing given as type-global defaults. */
  private static final String CACHED = """
      input_features:
        - name: text
          type: text
      output_features:
        - name: label
          type: category
      defaults:
        text:
          encoder:
            type: bert
            pretrained_model_name_or_path: answerdotai/ModernBERT-base
            trainable: false
          preprocessing:
            cache_encoder_embeddings: true
      trainer:
        epochs: 5
      """;

  private static Path run(Path dir, String guideConfig) throws Exception {
    Path encoder = TinyBertFolder.write(dir.resolve("tiny-bert"), 3);
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>(List.of("text,label"));
    for (int r = 0; r < 150; r++) {
      String text = spam.cell(r, "text");
      lines.add("\"" + text.substring(0, Math.min(300, text.length())).replace("\"", "\"\"") + "\"," + spam.cell(r, "label"));
    }
    Path data = dir.resolve("spam-150.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, guideConfig.replace("answerdotai/ModernBERT-base", encoder.toString()));
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "guide", "run", 42), true);
  }

  @Test
  void fullFineTuningConfigurationRunsUnchanged(@TempDir Path dir) throws Exception {
    Path results = run(dir, FULL_FINE_TUNING);
    JsonNode saved = JSON.readTree(results.resolve("model/model_hyperparameters.json").toFile());
    JsonNode encoder = saved.path("input_features").get(0).path("encoder");
    assertTrue(encoder.path("trainable").asBoolean(), "defaults.text.encoder reached the feature: " + encoder);
    assertEquals("bert", encoder.path("type").asText());
    JsonNode losses = JSON.readTree(results.resolve("training_statistics.json").toFile())
        .path("training").path("combined").path("loss");
    assertEquals(5, losses.size(), "five epochs, one evaluation each");
    losses.forEach(l -> assertTrue(Double.isFinite(l.asDouble()), "loss " + losses));
    assertTrue(Files.exists(results.resolve("test_statistics.json")));
  }

  @Test
  void cachedEmbeddingsConfigurationRunsUnchanged(@TempDir Path dir) throws Exception {
    Path results = run(dir, CACHED);
    JsonNode saved = JSON.readTree(results.resolve("model/model_hyperparameters.json").toFile());
    JsonNode text = saved.path("input_features").get(0);
    assertTrue(text.path("preprocessing").path("cache_encoder_embeddings").asBoolean(), text.toString());
    JsonNode description = JSON.readTree(results.resolve("description.json").toFile());
    assertTrue(description.toString().contains("encoder_forward_rows"), "the encoder ran once, in preprocessing");
    assertTrue(Files.exists(results.resolve("test_statistics.json")));
  }
}
