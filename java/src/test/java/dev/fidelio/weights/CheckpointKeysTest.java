package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json read generically, and hub checkpoint keys mapped to the base model's (the native loader checks the rest). */
class CheckpointKeysTest {
  private static NamedTensor t(String name) {
    return new NamedTensor(name, new long[] {1}, new float[] {0});
  }

  private static TransformerConfig config(String json) throws IOException {
    return TransformerConfig.parse(new ObjectMapper().readTree(json));
  }

  @Test
  void everyScalarAndStringListFieldIsKeptNestedObjectsAndNullsAreNot() throws IOException {
    TransformerConfig c = config("""
        {"model_type": "deberta-v2", "hidden_size": 32, "relative_attention": true, "pos_att_type": ["p2c", "c2p"],
         "hidden_act": "gelu", "id2label": {"0": "A"}, "bos_token_id": null, "weird": [1, 2]}
        """);
    assertEquals("deberta-v2", c.modelType());
    assertEquals(Map.of("model_type", "deberta-v2", "hidden_size", 32.0, "relative_attention", true,
        "pos_att_type", List.of("p2c", "c2p"), "hidden_act", "gelu"), c.fields());
    String msg = assertThrows(WeightsException.class, () -> config("{\"hidden_size\": 4}")).getMessage();
    assertTrue(msg.contains("model_type"), msg);
  }

  @Test
  void taskPrefixOfEachFamilyIsStrippedAndHeadsDroppedInOneNote() throws IOException {
    var roberta = CheckpointKeys.normalize(new StateDict(List.of(t("roberta.embeddings.word_embeddings.weight"),
        t("roberta.embeddings.position_ids"), t("lm_head.dense.weight"), t("lm_head.bias"))),
        config("{\"model_type\": \"xlm-roberta\"}"));
    assertEquals(List.of("embeddings.word_embeddings.weight"), List.copyOf(roberta.weights().names()));
    assertEquals(1, roberta.notes().size());
    assertTrue(roberta.notes().getFirst().contains("lm_head.dense.weight"), roberta.notes().toString());

    var modernbert = CheckpointKeys.normalize(new StateDict(List.of(t("model.embeddings.tok_embeddings.weight"),
        t("head.dense.weight"), t("decoder.bias"))), config("{\"model_type\": \"modernbert\"}"));
    assertEquals(List.of("embeddings.tok_embeddings.weight"), List.copyOf(modernbert.weights().names()));

    var electra = CheckpointKeys.normalize(new StateDict(List.of(t("electra.encoder.layer.0.output.LayerNorm.gamma"),
        t("electra.encoder.layer.0.output.LayerNorm.beta"), t("discriminator_predictions.dense.weight"),
        t("generator_lm_head.weight"))), config("{\"model_type\": \"electra\"}"));
    assertEquals(List.of("encoder.layer.0.output.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.bias"),
        List.copyOf(electra.weights().names()));
  }

  @Test
  void debertaWithoutAbsolutePositionsIgnoresTheStoredTable() throws IOException {
    var raw = new StateDict(List.of(t("deberta.embeddings.position_embeddings.weight"),
        t("deberta.embeddings.word_embeddings.weight")));
    var v3 = CheckpointKeys.normalize(raw, config("{\"model_type\": \"deberta-v2\", \"position_biased_input\": false}"));
    assertEquals(List.of("embeddings.word_embeddings.weight"), List.copyOf(v3.weights().names()));
    var plain = CheckpointKeys.normalize(raw, config("{\"model_type\": \"deberta-v2\"}"));
    assertEquals(2, plain.weights().size());
  }

  @Test
  void shardedSafetensorsAreReadThroughTheirWeightMap(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"albert\"}");
    SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
        new StateDict(List.of(t("albert.embeddings.word_embeddings.weight"))), Map.of());
    SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"),
        new StateDict(List.of(t("albert.pooler.weight"), t("predictions.bias"))), Map.of());
    Files.writeString(dir.resolve("model.safetensors.index.json"), """
        {"metadata": {}, "weight_map": {"albert.embeddings.word_embeddings.weight": "model-00001-of-00002.safetensors",
         "albert.pooler.weight": "model-00002-of-00002.safetensors", "predictions.bias": "model-00002-of-00002.safetensors"}}
        """);
    PretrainedEncoder m = CheckpointDirectory.load(dir, "x", "folder");
    assertEquals(List.of("embeddings.word_embeddings.weight", "pooler.weight"), List.copyOf(m.weights().names()));
  }

  @Test
  void slowTokenizerFilesWithoutTokenizerJsonAreNamedWithTheFix(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"xlm-roberta\"}");
    SafetensorsWriter.write(dir.resolve("model.safetensors"), new StateDict(List.of(t("roberta.x"))), Map.of());
    Files.writeString(dir.resolve("sentencepiece.bpe.model"), "");
    String msg = assertThrows(WeightsException.class, () -> CheckpointDirectory.load(dir, "x", "folder")).getMessage();
    assertTrue(msg.contains("sentencepiece.bpe.model") && msg.contains("no tokenizer.json")
        && msg.contains("AutoTokenizer.from_pretrained(dir).save_pretrained(dir)"), msg);
  }
}
