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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training on cached embeddings is the frozen run, only faster: the bundled MiniLM, frozen, on 80
 * rows of the spam example, once with cache_encoder_embeddings and once running the encoder in
 * every step, with the same seed. Losses, metrics and every predicted probability agree to float
 * tolerance (the encoder's batches differ in padding and order, so the last bits may). For the mean,
 * the masked max and concat (every position up to max_sequence_length): the cache stores the reduced
 * vector, which neither's padding moves.
 */
class CachedEmbeddingParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-4;
  private static final String CONFIG = """
      input_features:
        - name: text
          type: text
          encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                    trainable: false, reduce_output: REDUCE}
          preprocessing: {max_sequence_length: 32, cache_encoder_embeddings: CACHED}
      output_features:
        - {name: label, type: category}
      combiner: {type: concat, num_fc_layers: 1, output_size: 16, dropout: 0.0}
      trainer: {epochs: 3, batch_size: 16, learning_rate: 0.005, early_stop: -1}
      """;

  @ParameterizedTest
  @ValueSource(strings = {"mean", "max", "concat"})
  void cachedAndUncachedFrozenRunsAgree(String reduce, @TempDir Path dir) throws Exception {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>(List.of("text,label"));
    for (int r = 0; r < 80; r++) lines.add("\"" + spam.cell(r, "text").replace("\"", "\"\"") + "\"," + spam.cell(r, "label"));
    Path data = dir.resolve("spam-80.csv");
    Files.write(data, lines);

    Path cached = run(dir, data, true, reduce);
    Path uncached = run(dir, data, false, reduce);
    JsonNode cachedDescription = JSON.readTree(cached.resolve("description.json").toFile());
    assertEquals(List.of("text"), List.of(cachedDescription.path("cached_encoder_embeddings").get(0).asText()));
    assertEquals(0, JSON.readTree(uncached.resolve("description.json").toFile()).path("cached_encoder_embeddings").size());

    compareNumbers("training_statistics", JSON.readTree(cached.resolve("training_statistics.json").toFile()),
        JSON.readTree(uncached.resolve("training_statistics.json").toFile()));
    compareNumbers("test_statistics", JSON.readTree(cached.resolve("test_statistics.json").toFile()),
        JSON.readTree(uncached.resolve("test_statistics.json").toFile()));
    List<String> a = Files.readAllLines(cached.resolve("predictions.csv"));
    List<String> b = Files.readAllLines(uncached.resolve("predictions.csv"));
    assertEquals(a.size(), b.size());
    assertTrue(a.size() > 10, "the test split has rows");
    for (int i = 0; i < a.size(); i++) {
      String[] x = a.get(i).split(",");
      String[] y = b.get(i).split(",");
      assertEquals(x[0], y[0], "predicted label of row " + i);
      for (int c = 1; i > 0 && c < x.length; c++) {
        assertEquals(Double.parseDouble(x[c]), Double.parseDouble(y[c]), TOLERANCE, "row " + i + " column " + c);
      }
    }
  }

  private static Path run(Path dir, Path data, boolean cached, String reduce) throws Exception {
    Path config = dir.resolve("config-" + cached + ".yaml");
    Files.writeString(config, CONFIG.replace("CACHED", Boolean.toString(cached)).replace("REDUCE", reduce));
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), cached ? "cached" : "uncached",
        "run", 11, dir.resolve("store-" + cached)), true);
  }

  /** Every number in the two trees agrees within TOLERANCE (relative to its size, at least absolute). */
  private static void compareNumbers(String path, JsonNode a, JsonNode b) {
    if (a.isNumber() || b.isNumber()) {
      double x = a.asDouble();
      double y = b.asDouble();
      assertEquals(x, y, TOLERANCE * Math.max(1, Math.abs(x)), path);
      return;
    }
    assertEquals(a.size(), b.size(), path + " size");
    if (a.isObject()) {
      a.properties().forEach(e -> {
        assertTrue(b.has(e.getKey()), path + "." + e.getKey() + " missing");
        compareNumbers(path + "." + e.getKey(), e.getValue(), b.get(e.getKey()));
      });
    } else if (a.isArray()) {
      for (int i = 0; i < a.size(); i++) compareNumbers(path + "[" + i + "]", a.get(i), b.get(i));
    } else {
      assertEquals(a, b, path);
    }
  }
}
