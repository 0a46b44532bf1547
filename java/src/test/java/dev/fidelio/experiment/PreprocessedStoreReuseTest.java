package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.text.TextTokenizer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preprocessed store across runs, on 120 rows of the spam example with a small frozen BERT
 * whose outputs are cached: an identical second run reuses the store (no tokenization, no encoder
 * forward, counted by the tokenizer and the native encoder themselves) and trains to the same
 * numbers; changing max_sequence_length, the split or the encoder's weights rebuilds; changing
 * the trainer does not; a corrupted entry is rebuilt.
 */
class PreprocessedStoreReuseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG = """
      input_features:
        - name: text
          type: text
          encoder: {type: bert, pretrained_model_name_or_path: ENCODER, trainable: false, reduce_output: mean}
          preprocessing: {max_sequence_length: MAXLEN, cache_encoder_embeddings: true}
      output_features:
        - {name: label, type: category}
      combiner: {type: concat, num_fc_layers: 1, output_size: 16}
      trainer: {epochs: EPOCHS, batch_size: 16, learning_rate: 0.01}
      preprocessing: {split: {type: random, probabilities: SPLIT}}
      """;

  @TempDir
  Path dir;
  Path data;
  Path encoder;

  @BeforeEach
  void writeDataAndEncoder() throws IOException {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>(List.of("text,label"));
    for (int r = 0; r < 120; r++) {
      lines.add("\"" + spam.cell(r, "text").replace("\"", "\"\"") + "\"," + spam.cell(r, "label"));
    }
    data = dir.resolve("spam-120.csv");
    Files.write(data, lines);
    encoder = TinyBertFolder.write(dir.resolve("tiny-bert"), 1);
  }

  @Test
  void secondRunReusesTheStoreWithoutTokenizingOrEncoding() throws Exception {
    JsonNode first = run(config(48, "[0.7, 0.1, 0.2]", 2), "first");
    assertFalse(first.path("preprocessing").path("hit").asBoolean());
    assertEquals(120, first.path("preprocessing").path("tokenized_texts").asLong());
    assertEquals(120, first.path("preprocessing").path("encoder_forward_rows").asLong());
    Path entry = Path.of(first.path("preprocessing").path("store_entry").asText());
    assertEquals(dev.fidelio.store.PreprocessedStore.besideDataset(data), entry.getParent());

    long tokenized = TextTokenizer.encodedTexts();
    long encoded = TextEncoderModel.forwardRows();
    JsonNode second = run(config(48, "[0.7, 0.1, 0.2]", 2), "second");
    assertEquals(0, TextTokenizer.encodedTexts() - tokenized, "texts tokenized by the second run");
    assertEquals(0, TextEncoderModel.forwardRows() - encoded, "encoder rows run forward by the whole second run");
    JsonNode p = second.path("preprocessing");
    assertTrue(p.path("hit").asBoolean());
    assertEquals(first.path("preprocessing").path("key").asText(), p.path("key").asText());
    assertEquals(0, p.path("tokenized_texts").asLong());
    assertEquals(0, p.path("encoder_forward_rows").asLong());
    assertTrue(p.path("seconds").asDouble() < 1.0, "preprocessing of a reused store took " + p.path("seconds") + " s");
    assertTrue(second.path("seconds_to_training").asDouble() < 1.0, "training started "
        + second.path("seconds_to_training") + " s after the run started");
    // Same data, same seed: the same training, to the last digit.
    assertEquals(first.path("test_summary").asText(), second.path("test_summary").asText());

    // Trainer settings are not part of the preprocessing: still a hit.
    assertTrue(run(config(48, "[0.7, 0.1, 0.2]", 1), "fewer-epochs").path("preprocessing").path("hit").asBoolean());
  }

  @Test
  void changingWhatShapesTheDataRebuilds() throws Exception {
    String key = run(config(48, "[0.7, 0.1, 0.2]", 1), "base").path("preprocessing").path("key").asText();
    JsonNode longer = run(config(40, "[0.7, 0.1, 0.2]", 1), "max-length").path("preprocessing");
    JsonNode split = run(config(48, "[0.6, 0.2, 0.2]", 1), "split").path("preprocessing");
    TinyBertFolder.write(encoder, 2); // same path, other weights
    JsonNode weights = run(config(48, "[0.7, 0.1, 0.2]", 1), "weights").path("preprocessing");
    for (JsonNode p : List.of(longer, split, weights)) {
      assertFalse(p.path("hit").asBoolean());
      assertNotEquals(key, p.path("key").asText());
      assertEquals(120, p.path("encoder_forward_rows").asLong());
    }
    assertNotEquals(longer.path("key").asText(), split.path("key").asText());
  }

  @Test
  void aCorruptedEntryIsRebuiltNotUsed() throws Exception {
    JsonNode first = run(config(48, "[0.7, 0.1, 0.2]", 1), "first");
    Path entry = Path.of(first.path("preprocessing").path("store_entry").asText());
    Path embeddings = entry.resolve("training.input0.values.float32");
    try (RandomAccessFile file = new RandomAccessFile(embeddings.toFile(), "rw")) {
      file.seek(100);
      int b = file.read();
      file.seek(100);
      file.write(b ^ 0x10);
    }
    JsonNode second = run(config(48, "[0.7, 0.1, 0.2]", 1), "after-corruption").path("preprocessing");
    assertFalse(second.path("hit").asBoolean());
    assertEquals(120, second.path("encoder_forward_rows").asLong());
    assertEquals(first.path("test_summary").asText(), run(config(48, "[0.7, 0.1, 0.2]", 1), "rebuilt")
        .path("test_summary").asText());
    try (Stream<Path> entries = Files.list(entry.getParent())) {
      assertEquals(List.of(entry), entries.toList(), "only the rebuilt entry remains");
    }
  }

  @Test
  void preprocessCommandBuildsTheEntryTrainingThenReuses() throws Exception {
    Path config = dir.resolve("preprocess.yaml");
    Files.writeString(config, config(48, "[0.7, 0.1, 0.2]", 1));
    Path cacheDir = dir.resolve("cache");
    String built = Experiment.preprocess(config, data, 42, cacheDir);
    assertTrue(built.startsWith("stored " + cacheDir), built);
    assertTrue(Experiment.preprocess(config, data, 42, cacheDir).startsWith("reused "));
    Path results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "cli", "run", 42,
        cacheDir), false);
    assertTrue(JSON.readTree(results.resolve("description.json").toFile()).path("preprocessing").path("hit")
        .asBoolean());
  }

  private String config(int maxLength, String split, int epochs) {
    return CONFIG.replace("ENCODER", encoder.toString()).replace("MAXLEN", Integer.toString(maxLength))
        .replace("SPLIT", split).replace("EPOCHS", Integer.toString(epochs));
  }

  private JsonNode run(String config, String name) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, config);
    Path results = Experiment.run(file, data, new Experiment.Settings(dir.resolve("results"), name, "run", 42), true);
    return JSON.readTree(results.resolve("description.json").toFile());
  }
}
