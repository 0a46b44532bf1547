package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainedLocatorTest {
  static final String TINY_CONFIG = """
          {"model_type": "bert", "architectures": ["BertForSequenceClassification"], "vocab_size": 10,
           "hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8,
           "hidden_act": "gelu", "max_position_embeddings": 6, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
           "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "pad_token_id": 0}
          """;

  @TempDir
  Path tmp;

  /** A BertForSequenceClassification-style folder: bert.* keys, a classifier head, a position_ids buffer. */
  static Path writeTinyModel(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), TINY_CONFIG);
    Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
    BertConfig config = BertConfig.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(TINY_CONFIG));
    Map<String, SafetensorsFiles.Entry> t = new LinkedHashMap<>();
    int seed = 0;
    for (var e : BertKeys.expectedShapes(config).entrySet()) {
      float[] v = new float[(int) NamedTensor.numel(e.getValue())];
      for (int i = 0; i < v.length; i++) v[i] = seed++ * 0.25f;
      t.put("bert." + e.getKey(), SafetensorsFiles.f32(e.getValue(), v));
    }
    t.put("bert.embeddings.position_ids", SafetensorsFiles.i64(new long[] {1, 6}, 0, 1, 2, 3, 4, 5));
    t.put("classifier.weight", SafetensorsFiles.f32(new long[] {2, 4}, new float[8]));
    t.put("classifier.bias", SafetensorsFiles.f32(new long[] {2}, 0f, 0f));
    SafetensorsFiles.write(dir.resolve("model.safetensors"), t);
    return dir;
  }

  private PretrainedLocator locator(Map<String, String> env) {
    return new PretrainedLocator(env, tmp.resolve("home"), getClass().getClassLoader());
  }

  @Test
  void localFolderWithBertForStarCheckpoint() throws IOException {
    Path dir = writeTinyModel(tmp.resolve("my-bert"));
    PretrainedEncoder m = locator(Map.of()).load(dir.toString());
    assertEquals(1, m.config().integer("num_hidden_layers", -1));
    BertConfig tiny = BertConfig.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(TINY_CONFIG));
    assertEquals(BertKeys.expectedShapes(tiny).keySet(), m.weights().names());
    assertTrue(m.weights().contains("pooler.dense.weight"));
    assertArrayEquals(new long[] {8, 4}, m.weights().require("encoder.layer.0.intermediate.dense.weight").shape());
    assertEquals(0f, m.weights().require("embeddings.word_embeddings.weight").data()[0]);
    assertEquals(0.25f, m.weights().require("embeddings.word_embeddings.weight").data()[1]);
    assertTrue(m.notes().stream().anyMatch(n -> n.contains("classifier.weight") && n.contains("task head")), m.notes().toString());
    assertTrue(m.notes().stream().anyMatch(n -> n.contains("position_ids")), m.notes().toString());
    assertEquals(dir.resolve("tokenizer.json"), m.tokenizer().orElseThrow().path().orElseThrow());
  }

  @Test
  void hubCacheSnapshotFromRefsMain() throws IOException {
    Path hub = tmp.resolve("hfhome").resolve("hub");
    Path repo = hub.resolve("models--acme--tiny-bert");
    String rev = "0123456789abcdef0123456789abcdef01234567";
    writeTinyModel(repo.resolve("snapshots").resolve(rev));
    writeTinyModel(repo.resolve("snapshots").resolve("ffffffffffffffffffffffffffffffffffffffff")); // older revision
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs").resolve("main"), rev + "\n");

    PretrainedEncoder m = locator(Map.of("HF_HOME", tmp.resolve("hfhome").toString())).load("acme/tiny-bert");
    assertTrue(m.source().contains(rev), m.source());
    assertEquals(4, m.config().integer("hidden_size", -1));
    // HF_HUB_CACHE takes precedence over HF_HOME.
    WeightsException e = assertThrows(WeightsException.class, () -> locator(Map.of(
            "HF_HOME", tmp.resolve("hfhome").toString(), "HF_HUB_CACHE", tmp.resolve("elsewhere").toString())).load("acme/tiny-bert"));
    assertTrue(e.getMessage().contains(tmp.resolve("elsewhere").resolve("models--acme--tiny-bert").toString()), e.getMessage());
  }

  @Test
  void defaultCacheUnderHome() throws IOException {
    Path repo = tmp.resolve("home/.cache/huggingface/hub/models--tiny-bert");
    writeTinyModel(repo.resolve("snapshots/abc")); // lone snapshot, no refs/main
    assertEquals(4, locator(Map.of()).load("tiny-bert").config().integer("hidden_size", -1));
  }

  @Test
  void notFoundListsEveryPlaceAndTheRemedy() {
    WeightsException e = assertThrows(WeightsException.class, () -> locator(Map.of("HF_HUB_CACHE", tmp.resolve("cache").toString()))
            .load("google-bert/bert-base-uncased"));
    String msg = e.getMessage();
    assertTrue(msg.contains("local folder " + Path.of("google-bert/bert-base-uncased").toAbsolutePath()), msg);
    assertTrue(msg.contains("($HF_HUB_CACHE) " + tmp.resolve("cache").resolve("models--google-bert--bert-base-uncased")), msg);
    assertTrue(msg.contains("only sentence-transformers/all-MiniLM-L6-v2"), msg);
    assertTrue(msg.contains("huggingface-cli download google-bert/bert-base-uncased"), msg);
    assertTrue(msg.contains("pretrained_model_name_or_path"), msg);
  }

  @Test
  void pytorchBinOnlyFolderAsksForSafetensors() throws IOException {
    Path dir = tmp.resolve("old-bert");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), TINY_CONFIG);
    Files.write(dir.resolve("pytorch_model.bin"), new byte[] {'P', 'K'});
    String msg = assertThrows(WeightsException.class, () -> locator(Map.of()).load(dir.toString())).getMessage();
    assertTrue(msg.contains("pytorch_model.bin") && msg.contains("onvert"), msg);
  }

  @Test
  void weightsThatDoNotFitTheConfigAreListed() throws IOException {
    Path dir = writeTinyModel(tmp.resolve("mismatch"));
    Files.writeString(dir.resolve("config.json"), TINY_CONFIG.replace("\"num_hidden_layers\": 1", "\"num_hidden_layers\": 2"));
    // The native loader is the one strict check (nn/state_dict.h): it names the keys the config implies.
    PretrainedEncoder m = locator(Map.of()).load(dir.toString());
    String msg = assertThrows(RuntimeException.class,
        () -> dev.fidelio.model.TextEncoderModel.pretrained(m, 1, new java.util.ArrayList<>()).close()).getMessage();
    assertTrue(msg.contains("encoder.layer.1.attention.self.query.weight"), msg);
  }

  @Test
  void bundledMiniLmWithTokenizerStream() throws IOException {
    PretrainedEncoder m = locator(Map.of("HF_HUB_CACHE", tmp.resolve("empty").toString())).load("all-MiniLM-L6-v2");
    assertEquals(BertConfig.allMiniLmL6V2().toTransformerConfig(), m.config());
    assertFalse(m.weights().contains("pooler.dense.weight"));
    assertEquals("embeddings.word_embeddings.weight", m.weights().names().getFirst());
    try (InputStream in = m.tokenizer().orElseThrow().open()) {
      String head = new String(in.readNBytes(200), StandardCharsets.UTF_8);
      assertTrue(head.contains("\"version\""), head);
    }
  }
}
