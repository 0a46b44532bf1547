package dev.fidelio.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Splitter;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.Evaluation;
import dev.fidelio.experiment.Experiment;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RoBERTa from a hub-style folder (src/test/python/hf_text_folders.py: pytorch_model.bin of
 * RobertaForMaskedLM, byte-level BPE tokenizer.json) used by Ludwig's encoder type {@code roberta}:
 * it trains frozen with cached embeddings and trainable, predicts from the saved model, and the
 * TorchScript export run by Debian's PyTorch gives `fidelio predict`'s predictions. 64 spam rows
 * and a 2-layer hidden-16 encoder keep each run to seconds.
 */
class RobertaExperimentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  private static Path data;
  private static Path roberta;

  @BeforeAll
  static void writeFolderAndData() throws Exception {
    Process python = new ProcessBuilder("/usr/bin/python3", "src/test/python/hf_text_folders.py",
        dir.resolve("hf").toString()).redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(120, TimeUnit.SECONDS), "python3 timed out");
    assertEquals(0, python.exitValue(), "hf_text_folders.py failed:\n" + output);
    roberta = dir.resolve("hf/roberta");
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

  private static Path train(String name, boolean trainable) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    // max_sequence_length 64 exceeds the encoder's 32 tokens (34 positions - pad - 1): it is capped.
    Files.writeString(config, """
        input_features:
          - name: text
            type: text
            encoder: {type: roberta, pretrained_model_name_or_path: "%s", trainable: %s}
            preprocessing: {max_sequence_length: 64, cache_encoder_embeddings: %s}
        output_features:
          - {name: label, type: category}
        trainer: {epochs: 2, batch_size: 16, learning_rate: 0.003, early_stop: -1}
        """.formatted(roberta, trainable, !trainable));
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve(name), name, "run", 11), false)
        .resolve("model");
  }

  @Test
  void trainableRobertaTrains() throws Exception {
    Path model = train("trainable", true);
    try (ModelBundle bundle = ModelBundle.load(model)) {
      assertEquals(32, bundle.metadata().text("text").maxSequenceLength());
      assertEquals(1, bundle.metadata().text("text").padTokenId());
    }
  }

  @Test
  void frozenCachedRobertaExportAgreesWithPredict() throws Exception {
    Path model = train("frozen", false);
    Path export = dir.resolve("export");
    try (ModelBundle bundle = ModelBundle.load(model)) {
      TorchscriptExport.write(bundle, model, export);
    }
    Evaluation.run(model, data, Evaluation.Split.TEST, dir.resolve("predict"), false, 8);
    Table expected = DatasetReader.read(dir.resolve("predict/predictions.csv"));

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
    assertEquals(1, text.path("pad_token_id").asLong(), "RoBERTa pads with <pad> = 1");
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
    Files.writeString(dir.resolve("inputs.json"), JSON.writeValueAsString(Map.of("int64", inputs)));

    JsonNode out = TorchscriptExportTest.runPython(export, dir.resolve("inputs.json"), dir.resolve("outputs.json"));
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
