package dev.fidelio.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Splitter;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.Evaluation;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.serve.TinyModel;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.text.TokenBatch;
import dev.fidelio.weights.SafetensorsReader;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * export_torchscript against `fidelio predict`: Debian's PyTorch (torch.jit.load) runs the exported
 * model on the test split, tokenized as the export's contract says, and must give the same
 * predictions (category, binary, number) and probabilities within 1e-5.
 */
class TorchscriptExportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pythonTorchRunningTheExportAgreesWithFidelioPredictOnTheTestSplit(@TempDir Path dir) throws Exception {
    Path model = TinyModel.model();
    Path export = dir.resolve("export");
    try (ModelBundle bundle = ModelBundle.load(model)) {
      TorchscriptExport.write(bundle, model, export);
    }
    for (String file : List.of("model.pt", "torchscript_contract.json", "text_tokenizer.json",
        "training_set_metadata.json", "model_hyperparameters.json")) {
      assertTrue(Files.exists(export.resolve(file)), file + " is missing");
    }
    JsonNode contract = JSON.readTree(export.resolve("torchscript_contract.json").toFile());

    // fidelio predict on the test split
    Evaluation.run(model, TinyModel.data(), Evaluation.Split.TEST, dir.resolve("predict"), false, 8);
    Table expected = DatasetReader.read(dir.resolve("predict/predictions.csv"));

    // the same rows, tokenized as the contract says
    Table data = DatasetReader.read(TinyModel.data());
    List<String> texts = new ArrayList<>();
    try (ModelBundle bundle = ModelBundle.load(model)) {
      for (int r : Splitter.split(data, bundle.config().preprocessing().split(), bundle.metadata().randomSeed()).test()) {
        texts.add(data.cell(r, "text"));
      }
    }
    assertEquals(expected.rowCount(), texts.size());
    JsonNode text = contract.path("inputs").get(0);
    long[][] ids;
    try (InputStream in = Files.newInputStream(export.resolve(text.path("tokenizer").asText()));
         TextTokenizer tokenizer = TextTokenizer.load(in, "tokenizer", text.path("max_sequence_length").asInt(),
             text.path("pad_token_id").asLong())) {
      ids = tokenizer.encode(texts);
    }
    int[] all = java.util.stream.IntStream.range(0, texts.size()).toArray();
    TokenBatch batch = TokenBatch.pad(ids, all, text.path("pad_token_id").asLong());
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("text", rows(batch.inputIds(), batch.length()));
    inputs.put("text_attention_mask", rows(batch.attentionMask(), batch.length()));
    Files.writeString(dir.resolve("inputs.json"), JSON.writeValueAsString(Map.of("int64", inputs)));

    JsonNode out = runPython(export, dir.resolve("inputs.json"), dir.resolve("outputs.json"));
    assertEquals(0.0, out.path("max_abs_difference_without_mask").asDouble(), 1e-6);
    // state names are the model's own (those of model_weights.safetensors)
    List<String> stateKeys = JSON.convertValue(out.path("state_keys"), List.class);
    for (var tensor : SafetensorsReader.read(model.resolve("model_weights.safetensors")).tensors()) {
      assertTrue(stateKeys.contains(tensor.name()), tensor.name() + " is not in the TorchScript state");
    }
    List<String> classes = JSON.convertValue(contract.path("outputs").get(0).path("classes"), List.class);
    List<String> labels = JSON.convertValue(contract.path("outputs").get(1).path("labels"), List.class);
    for (int r = 0; r < texts.size(); r++) {
      assertEquals(expected.cell(r, "label_predictions"), classes.get(out.path("label_predictions").get(r).asInt()));
      for (int c = 0; c < classes.size(); c++) {
        assertEquals(Double.parseDouble(expected.cell(r, "label_probabilities_" + classes.get(c))),
            out.path("label_probabilities").get(r).get(c).asDouble(), 1e-5, "row " + r);
      }
      assertEquals(expected.cell(r, "spam_predictions"), labels.get(out.path("spam_predictions").get(r).asInt()));
      assertEquals(Double.parseDouble(expected.cell(r, "spam_probabilities_" + labels.get(1))),
          out.path("spam_probabilities").get(r).get(1).asDouble(), 1e-5, "row " + r);
      assertEquals(Double.parseDouble(expected.cell(r, "length_predictions")),
          out.path("length_predictions").get(r).asDouble(), 1e-4, "row " + r);
    }
  }

  static List<long[]> rows(long[] flat, int length) {
    List<long[]> rows = new ArrayList<>();
    for (int i = 0; i < flat.length; i += length) rows.add(java.util.Arrays.copyOfRange(flat, i, i + length));
    return rows;
  }

  /** Debian's python3-torch (bin/test installs it) runs src/test/resources/python/run_torchscript.py. */
  static JsonNode runPython(Path export, Path inputs, Path outputs) throws Exception {
    Path script = Path.of(TorchscriptExportTest.class.getResource("/python/run_torchscript.py").toURI());
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), export.toString(), inputs.toString(),
        outputs.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python timed out");
    assertEquals(0, p.exitValue(), "python failed:\n" + log);
    return JSON.readTree(outputs.toFile());
  }
}
