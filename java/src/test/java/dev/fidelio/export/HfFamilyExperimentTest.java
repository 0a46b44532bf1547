package dev.fidelio.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Splitter;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.Evaluation;
import dev.fidelio.experiment.Experiment;
import dev.fidelio.model.HfTextFolders;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.text.TokenBatch;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hub-style folders of the nine non-BERT families (src/test/python/hf_text_folders.py: RoBERTa as
 * pytorch_model.bin with a byte-level BPE tokenizer.json, DeBERTa-v3 as float16 safetensors with a
 * Unigram one; xlm-roberta, camembert, electra, distilbert and mpnet with a small WordPiece, albert
 * and modernbert with the Unigram one, on the native reference tests' float32 weights) used by
 * their Ludwig encoder types: each trains frozen with cached embeddings and trainable, predicts
 * from the saved model, and the TorchScript export run by Debian's PyTorch gives `fidelio
 * predict`'s predictions. 64 spam rows and 2- to 4-layer encoders of hidden size 16 or 32 keep
 * each run to seconds.
 */
class HfFamilyExperimentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  private static Path data;
  private static Path folders;

  @BeforeAll
  static void writeFolderAndData() throws Exception {
    folders = HfTextFolders.write(dir.resolve("hf"));
    Table spam = DatasetReader.read(Path.of(System.getProperty("fidelio.root", "..")).resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 64; r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("text", spam.cell(r, "text"));
      row.put("label", spam.cell(r, "label"));
      lines.add(JSON.writeValueAsString(row));
    }
    data = dir.resolve("data.jsonl");
    Files.write(data, lines);
  }

  private static Path train(String type, String family, boolean trainable) throws Exception {
    return train(type, family, trainable, null, !trainable, "");
  }

  /** reduce null: the type's default reduce_output; trainer: more trainer keys (", key: value"). */
  private static Path train(String type, String family, boolean trainable, String reduce, boolean cached,
                            String trainer) throws Exception {
    String name = type + (trainable ? "-trainable" : "-frozen") + (reduce == null ? "" : "-" + reduce)
        + (trainer.isEmpty() ? "" : "-" + Integer.toHexString(trainer.hashCode()));
    Path config = dir.resolve(name + ".yaml");
    // max_sequence_length 64 is capped by every encoder's limit but modernbert's (RoBERTa: 34 positions - pad - 1).
    Files.writeString(config, """
        input_features:
          - name: text
            type: text
            encoder: {type: %s, pretrained_model_name_or_path: "%s", trainable: %s%s}
            preprocessing: {max_sequence_length: 64, cache_encoder_embeddings: %s}
        output_features:
          - {name: label, type: category}
        trainer: {epochs: 2, batch_size: 16, learning_rate: 0.003, early_stop: -1%s}
        %s
        """.formatted(type, folders.resolve(family), trainable, reduce == null ? "" : ", reduce_output: " + reduce,
        cached, trainer, "none".equals(reduce) ? "combiner: {flatten_inputs: true}" : ""));
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve(name), name, "run", 11), false)
        .resolve("model");
  }

  @Test
  void encoderTypeOfAnotherFamilyIsRefusedNamingBoth() throws Exception {
    Path config = dir.resolve("mismatch.yaml");
    Files.writeString(config, """
        input_features: [{name: text, type: text, encoder: {type: roberta, pretrained_model_name_or_path: "%s"}}]
        output_features: [{name: label, type: category}]
        """.formatted(folders.resolve("deberta-v2")));
    String msg = assertThrows(RuntimeException.class, () -> Experiment.run(config, data,
        new Experiment.Settings(dir.resolve("mismatch"), "mismatch", "run", 11), false)).getMessage();
    assertTrue(msg.contains("encoder type 'roberta'") && msg.contains("model_type 'deberta-v2'")
        && msg.contains(folders.resolve("deberta-v2").toString()) && msg.contains("input feature text"), msg);
  }

  @Test
  void modelTypeWithoutModuleListsTheSupportedOnes() throws Exception {
    Path gpt2 = dir.resolve("gpt2");
    Files.createDirectories(gpt2);
    Files.writeString(gpt2.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_embd\": 16}");
    for (String file : List.of("pytorch_model.bin", "tokenizer.json")) {
      Files.copy(folders.resolve("roberta").resolve(file), gpt2.resolve(file));
    }
    Path config = dir.resolve("gpt2.yaml");
    Files.writeString(config, """
        input_features: [{name: text, type: text, encoder: {type: auto_transformer, pretrained_model_name_or_path: "%s"}}]
        output_features: [{name: label, type: category}]
        """.formatted(gpt2));
    String msg = assertThrows(RuntimeException.class, () -> Experiment.run(config, data,
        new Experiment.Settings(dir.resolve("gpt2-run"), "gpt2", "run", 11), false)).getMessage();
    assertTrue(msg.contains("gpt2") && msg.contains(gpt2.toString()) && msg.contains("roberta")
        && msg.contains("deberta-v2") && msg.contains("input feature text"), msg);
  }

  @ParameterizedTest
  @CsvSource({"roberta, roberta, 1, 32", "deberta, deberta-v2, 0, 24", "xlmroberta, xlm-roberta, 1, 10",
      "camembert, camembert, 1, 10", "electra, electra, 0, 20", "distilbert, distilbert, 0, 20",
      "albert, albert, 0, 24", "mpnet, mpnet, 1, 38", "modernbert, modernbert, 0, 64"})
  void trainableEncoderTrains(String type, String family, long pad, int maxLength) throws Exception {
    Path model = train(type, family, true);
    try (ModelBundle bundle = ModelBundle.load(model)) {
      assertEquals(maxLength, bundle.metadata().text("text").maxSequenceLength());
      assertEquals(pad, bundle.metadata().text("text").padTokenId());
    }
  }

  @ParameterizedTest
  @CsvSource({"roberta, roberta, 1", "deberta, deberta-v2, 0", "xlmroberta, xlm-roberta, 1", "camembert, camembert, 1",
      "electra, electra, 0", "distilbert, distilbert, 0", "albert, albert, 0", "mpnet, mpnet, 1",
      "modernbert, modernbert, 0"})
  void frozenCachedExportAgreesWithPredict(String type, String family, long pad) throws Exception {
    assertExportAgreesWithPredict(train(type, family, false), type, pad);
  }

  /**
   * Ludwig's learned attention reducer (frozen encoder, not cached: the reducer's weights train),
   * concat (cached: every position up to max_sequence_length, flattened) and none flattened by the
   * combiner's flatten_inputs (Ludwig's way to the same) train, and the export gives predict's outputs.
   */
  @ParameterizedTest
  @CsvSource({"roberta, roberta, 1, attention, false", "modernbert, modernbert, 0, attention, false",
      "deberta, deberta-v2, 0, concat, true", "electra, electra, 0, none, false"})
  void learnedAndFlatReductionsExportAsPredicted(String type, String family, long pad, String reduce, boolean cached)
      throws Exception {
    Path model = train(type, family, false, reduce, cached, "");
    assertExportAgreesWithPredict(model, type + "-" + reduce, pad);
  }

  /**
   * Every family trains under bf16 autocast (use_mixed_precision on the CPU) with gradient
   * checkpointing: each logged loss is finite and the saved model predicts.
   */
  @ParameterizedTest
  @ValueSource(strings = {"roberta:roberta", "deberta:deberta-v2", "xlmroberta:xlm-roberta", "camembert:camembert",
      "electra:electra", "distilbert:distilbert", "albert:albert", "mpnet:mpnet", "modernbert:modernbert"})
  void mixedPrecisionWithCheckpointingTrains(String typeAndFamily) throws Exception {
    String[] parts = typeAndFamily.split(":");
    Path model = train(parts[0], parts[1], true, null, false,
        ", use_mixed_precision: true, enable_gradient_checkpointing: true");
    List<String> log = Files.readAllLines(model.getParent().resolve("training_log.csv"));
    assertTrue(log.size() > 2, "training_log.csv has steps");
    int lossColumn = List.of(log.getFirst().split(",")).indexOf("loss");
    assertTrue(lossColumn >= 0, log.getFirst());
    for (String line : log.subList(1, log.size())) {
      double loss = Double.parseDouble(line.split(",")[lossColumn]);
      assertTrue(Double.isFinite(loss), parts[0] + ": loss " + line);
    }
    Path predict = dir.resolve(parts[0] + "-mixed-predict");
    Evaluation.run(model, data, Evaluation.Split.TEST, predict, false, 8);
    assertTrue(DatasetReader.read(predict.resolve("predictions.csv")).rowCount() > 0);
  }

  private static void assertExportAgreesWithPredict(Path model, String type, long pad) throws Exception {
    Path export = dir.resolve(type + "-export");
    try (ModelBundle bundle = ModelBundle.load(model)) {
      TorchscriptExport.write(bundle, model, export);
    }
    Path predict = dir.resolve(type + "-predict");
    Evaluation.run(model, data, Evaluation.Split.TEST, predict, false, 8);
    Table expected = DatasetReader.read(predict.resolve("predictions.csv"));

    Table table = DatasetReader.read(data);
    List<String> texts = new ArrayList<>();
    try (ModelBundle bundle = ModelBundle.load(model)) {
      for (int r : Splitter.split(table, bundle.config().preprocessing().split(), bundle.metadata().randomSeed()).test()) {
        texts.add(table.cell(r, "text"));
      }
    }
    assertEquals(expected.rowCount(), texts.size());
    JsonNode contract = JSON.readTree(export.resolve("torchscript_contract.json").toFile());
    JsonNode text = contract.path("inputs").get(0);
    assertEquals(pad, text.path("pad_token_id").asLong(), "the tokenizer's pad id");
    long[][] ids;
    try (InputStream in = Files.newInputStream(export.resolve(text.path("tokenizer").asText()));
        TextTokenizer tokenizer = TextTokenizer.load(in, "tokenizer", text.path("max_sequence_length").asInt(),
            text.path("pad_token_id").asLong())) {
      ids = tokenizer.encode(texts);
    }
    int[] all = java.util.stream.IntStream.range(0, texts.size()).toArray();
    TokenBatch batch = TokenBatch.pad(ids, all, text.path("pad_token_id").asLong());
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("text", TorchscriptExportTest.rows(batch.inputIds(), batch.length()));
    inputs.put("text_attention_mask", TorchscriptExportTest.rows(batch.attentionMask(), batch.length()));
    Path in = dir.resolve(type + "-inputs.json");
    Files.writeString(in, JSON.writeValueAsString(Map.of("int64", inputs)));

    JsonNode out = TorchscriptExportTest.runPython(export, in, dir.resolve(type + "-outputs.json"));
    assertEquals(0.0, out.path("max_abs_difference_without_mask").asDouble(), 1e-6);
    List<String> classes = JSON.convertValue(contract.path("outputs").get(0).path("classes"), List.class);
    for (int r = 0; r < texts.size(); r++) {
      assertEquals(expected.cell(r, "label_predictions"), classes.get(out.path("label_predictions").get(r).asInt()));
      for (int c = 0; c < classes.size(); c++) {
        assertEquals(Double.parseDouble(expected.cell(r, "label_probabilities_" + classes.get(c))),
            out.path("label_probabilities").get(r).get(c).asDouble(), 1e-5, "row " + r);
      }
    }
  }
}
