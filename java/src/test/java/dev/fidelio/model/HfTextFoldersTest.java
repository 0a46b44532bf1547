package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.config.TextEncoder.ReduceOutput;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.text.TokenBatch;
import dev.fidelio.weights.PretrainedEncoder;
import dev.fidelio.weights.PretrainedLocator;
import dev.fidelio.weights.TextEncoderInfo;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hub-style model folders of other families (src/test/python/hf_text_folders.py: a *For* task
 * checkpoint with its prefix, heads and buffers, a hand-written tokenizer.json, and a plain-PyTorch
 * reference written from HF's modeling code) load by config.json's model_type alone; the tokenizer's
 * ids and the encoder's outputs through Java equal the reference's. The folders hold 2-layer encoders
 * of hidden size 16 to 32 and batches of 2 short rows, so the whole class runs in seconds.
 */
class HfTextFoldersTest {

  @TempDir
  static Path folders;

  @BeforeAll
  static void writeFolders() throws Exception {
    HfTextFolders.write(folders);
  }

  /** RoBERTa: byte-level BPE with the <s> ... </s> template, pad id 1, pytorch_model.bin of RobertaForMaskedLM. */
  @Test
  void robertaByteLevelBpe() throws Exception {
    TextEncoderInfo info = assertMatchesReference("roberta", "lm_head.decoder.weight");
    assertEquals(32, info.maxSequenceLength(), "34 positions less pad_token_id + 1");
    assertEquals(1, info.padTokenId());
  }

  /**
   * DeBERTa-v3 layout: Unigram tokenizer with a [CLS] $A [SEP] template, float16 model.safetensors
   * of DebertaV2ForMaskedLM with the unused absolute position table (position_biased_input false).
   */
  @Test
  void debertaV2Unigram() throws Exception {
    TextEncoderInfo info = assertMatchesReference("deberta-v2", "lm_predictions.lm_head.dense.weight");
    assertEquals(0, info.padTokenId());
    assertEquals(0, info.hasPooler());
  }

  /** Loads the family's folder by its model_type alone; returns what native built. */
  private static TextEncoderInfo assertMatchesReference(String family, String headKey) throws Exception {
    Path dir = folders.resolve(family);
    JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    PretrainedEncoder source = PretrainedLocator.fromEnvironment().load(dir.toString());
    assertEquals(family, source.config().modelType());
    assertTrue(source.notes().stream().anyMatch(n -> n.contains(headKey)), source.notes().toString());
    long pad = source.tokenizer().orElseThrow().padTokenId().orElseThrow();
    assertEquals(expected.get("pad_token_id").asLong(), pad);

    List<String> notes = new ArrayList<>();
    try (TextEncoderModel encoder = TextEncoderModel.pretrained(source, 1, notes)) {
      TextEncoderInfo info = encoder.describe();
      assertTrue(notes.isEmpty(), "every weight, a pooler included, came from the checkpoint: " + notes);
      long[][] ids;
      try (InputStream in = source.tokenizer().orElseThrow().open();
          TextTokenizer tokenizer = TextTokenizer.load(in, dir.toString(), (int) info.maxSequenceLength(), pad)) {
        ids = tokenizer.encode(texts(expected));
      }
      for (int i = 0; i < ids.length; i++) {
        assertArrayEquals(longs(expected.get("input_ids").get(i)), ids[i], "token ids of text " + i);
      }
      TokenBatch batch = TokenBatch.pad(ids, new int[] {0, 1}, pad);
      long[] shape = {batch.batch(), batch.length()};
      try (Tensor inputIds = Tensor.of(batch.inputIds(), shape);
          Tensor mask = Tensor.of(batch.attentionMask(), shape);
          Tensor pooled = encoder.forward(inputIds, mask, ReduceOutput.CLS_POOLED);
          Tensor hidden = encoder.forward(inputIds, mask, ReduceOutput.NONE)) {
        double pooledDiff = maxDiff(pooled.toFloatArray(), flatten(expected.get("cls_pooled")), null);
        double hiddenDiff = maxDiff(hidden.toFloatArray(), flatten(expected.get("last_hidden_state")),
            batch.attentionMask());
        System.out.printf("%s vs reference: pooled %.2e, last hidden (kept tokens) %.2e%n", family, pooledDiff,
            hiddenDiff);
        assertTrue(pooledDiff < 1e-4, "pooled max abs difference " + pooledDiff);
        assertTrue(hiddenDiff < 1e-4, "last hidden max abs difference " + hiddenDiff);
      }
      return info;
    }
  }

  /**
   * Every family's folder (the native tests' reference records stored hub-style: float32
   * model.safetensors with the task prefix and a head) loads by model_type alone and runs forward on
   * the record's padded ids to the reference's outputs.
   */
  @ParameterizedTest
  @ValueSource(strings = {"roberta", "xlm-roberta", "camembert", "electra", "distilbert", "albert", "mpnet",
      "deberta-v2", "modernbert"})
  void everyFamilyLoadsByModelTypeAndMatchesItsReference(String family) throws Exception {
    Path dir = folders.resolve("ids").resolve(family);
    JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    PretrainedEncoder source = PretrainedLocator.fromEnvironment().load(dir.toString());
    assertEquals(family, source.config().modelType());
    assertTrue(source.notes().stream().anyMatch(n -> n.contains("task head")), source.notes().toString());
    long[] ids = flatLongs(expected.get("input_ids"));
    long[] mask = flatLongs(expected.get("attention_mask"));
    long[] shape = {expected.get("input_ids").size(), expected.get("input_ids").get(0).size()};
    List<String> notes = new ArrayList<>();
    try (TextEncoderModel encoder = TextEncoderModel.pretrained(source, 1, notes);
        Tensor inputIds = Tensor.of(ids, shape);
        Tensor attentionMask = Tensor.of(mask, shape);
        Tensor pooled = encoder.forward(inputIds, attentionMask, ReduceOutput.CLS_POOLED);
        Tensor hidden = encoder.forward(inputIds, attentionMask, ReduceOutput.NONE)) {
      assertTrue(notes.isEmpty(), notes.toString());
      double pooledDiff = maxDiff(pooled.toFloatArray(), flatten(expected.get("cls_pooled")), null);
      double hiddenDiff = maxDiff(hidden.toFloatArray(), flatten(expected.get("last_hidden_state")), mask);
      System.out.printf("%s (ids) vs reference: pooled %.2e, last hidden (kept tokens) %.2e%n", family, pooledDiff,
          hiddenDiff);
      assertTrue(pooledDiff < 1e-4, "pooled max abs difference " + pooledDiff);
      assertTrue(hiddenDiff < 1e-4, "last hidden max abs difference " + hiddenDiff);
      // Every parameter-free reduce_output against Ludwig's reducers on each sentence's own tokens
      // (attention's weights live in a model's input feature: native sequence_reduce test).
      for (ReduceOutput mode : List.of(ReduceOutput.SUM, ReduceOutput.MEAN, ReduceOutput.MAX, ReduceOutput.LAST,
          ReduceOutput.CONCAT)) {
        try (Tensor reduced = encoder.forward(inputIds, attentionMask, mode)) {
          double d = maxDiff(reduced.toFloatArray(), flatten(expected.get("reduced").get(mode.name().toLowerCase())),
              null);
          assertTrue(d < 1e-4, family + " reduce_output " + mode + ": max abs difference " + d);
        }
      }
    }
  }

  private static long[] flatLongs(JsonNode nested) {
    return java.util.Arrays.stream(flatten(nested)).mapToLong(d -> (long) d).toArray();
  }

  private static List<String> texts(JsonNode expected) {
    List<String> texts = new ArrayList<>();
    expected.get("texts").forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
    return out;
  }

  private static double[] flatten(JsonNode nested) {
    List<Double> values = new ArrayList<>();
    collect(nested, values);
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode node, List<Double> values) {
    if (node.isArray()) node.forEach(n -> collect(n, values));
    else values.add(node.asDouble());
  }

  /** Max |ours - reference|; with mask [batch, length], only over kept tokens' rows of hidden values. */
  private static double maxDiff(float[] ours, double[] reference, long[] mask) {
    assertEquals(reference.length, ours.length);
    int width = mask == null ? 1 : ours.length / mask.length;
    double max = 0;
    for (int i = 0; i < ours.length; i++) {
      if (mask != null && mask[i / width] == 0) continue; // padding positions carry no meaning
      max = Math.max(max, Math.abs(ours[i] - reference[i]));
    }
    return max;
  }
}
