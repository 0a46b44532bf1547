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
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * export_torchscript of models with tabular and image inputs against `fidelio predict` on the test
 * split: the test builds the input tensors from the raw cells by the contract alone (its constants,
 * vocabularies, labels, pixel scaling; images read with javax.imageio, not Fidelio's decoder), and
 * Debian's PyTorch (torch.jit.load) must give the same predictions, probabilities within 1e-5.
 */
class TorchscriptMultimodalExportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Text (frozen MiniLM, cached embeddings) with every tabular input type and encoder; a corn output too. */
  @Test
  void textAndTabularInputsAgreeWithFidelioPredict(@TempDir Path dir) throws Exception {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>(List.of("text,chars,digits,has_link,first_word,size,label,words,level"));
    for (int r = 0; r < 120; r++) {
      String text = spam.cell(r, "text");
      String first = text.strip().split("\\s+")[0].replaceAll("[^A-Za-z]", "");
      long digits = text.chars().filter(Character::isDigit).count();
      String size = text.length() < 80 ? "short" : text.length() < 400 ? "medium" : "long";
      lines.add(String.join(",", quote(text), r % 7 == 3 ? "" : Integer.toString(text.length()), Long.toString(digits),
          text.contains("http") ? "yes" : "no", first.isEmpty() ? "" : first, size, spam.cell(r, "label"),
          Integer.toString(text.split("\\s+").length), size));
    }
    Path data = dir.resolve("multimodal.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features:
          - name: text
            type: text
            encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                      trainable: false, reduce_output: mean}
            preprocessing: {max_sequence_length: 16, cache_encoder_embeddings: true}
          - name: chars
            type: number
            encoder: {type: dense, output_size: 4, num_layers: 1, norm: layer}
            preprocessing: {missing_value_strategy: fill_with_mean}
          - {name: digits, type: number, preprocessing: {normalization: log1p}}
          - {name: has_link, type: binary}
          - {name: first_word, type: category, encoder: {type: dense, embedding_size: 4},
             preprocessing: {lowercase: true}}
          - {name: size, type: category, encoder: {type: onehot}}
        output_features:
          - {name: label, type: category}
          - {name: words, type: number, preprocessing: {normalization: zscore}}
          - {name: level, type: category, loss: {type: corn}}
        combiner: {type: concat, num_fc_layers: 1, output_size: 16, norm: layer}
        trainer: {epochs: 3, batch_size: 16, learning_rate: 0.003, early_stop: -1}
        """);
    Path model = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "mm", "run", 5), false)
        .resolve("model");
    JsonNode contract = export(model, dir);
    Table table = DatasetReader.read(data);
    int[] test = testRows(model, table);

    Map<String, Object> longs = new LinkedHashMap<>(), floats = new LinkedHashMap<>();
    JsonNode text = input(contract, "text");
    List<String> texts = IntStream.of(test).mapToObj(r -> table.cell(r, "text")).toList();
    try (InputStream in = Files.newInputStream(dir.resolve("export").resolve(text.path("tokenizer").asText()));
         TextTokenizer tokenizer = TextTokenizer.load(in, "tokenizer", text.path("max_sequence_length").asInt(),
             text.path("pad_token_id").asLong())) {
      TokenBatch batch = TokenBatch.pad(tokenizer.encode(texts), IntStream.range(0, texts.size()).toArray(),
          text.path("pad_token_id").asLong());
      longs.put("text", TorchscriptExportTest.rows(batch.inputIds(), batch.length()));
      longs.put("text_attention_mask", TorchscriptExportTest.rows(batch.attentionMask(), batch.length()));
    }
    for (String number : List.of("chars", "digits")) {
      JsonNode c = input(contract, number);
      floats.put(number, IntStream.of(test).mapToObj(r -> normalized(c, table.cell(r, number))).toList());
    }
    JsonNode link = input(contract, "has_link");
    floats.put("has_link", IntStream.of(test).mapToObj(r -> table.cell(r, "has_link").equals(link.path("labels")
        .get(1).asText()) ? 1f : 0f).toList());
    for (String category : List.of("first_word", "size")) {
      JsonNode c = input(contract, category);
      List<String> vocabulary = JSON.convertValue(c.path("vocabulary"), List.class);
      longs.put(category, IntStream.of(test).mapToObj(r -> {
        String cell = table.cell(r, category);
        String v = cell == null || cell.isBlank() ? c.path("missing_value").path("fill_value").asText() : cell;
        return (long) Math.max(0, vocabulary.indexOf(c.path("lowercase").asBoolean() ? v.toLowerCase(Locale.ROOT) : v));
      }).toList());
    }
    JsonNode out = run(dir, longs, floats);

    Table expected = predict(model, data, dir);
    assertEquals(expected.rowCount(), test.length);
    JsonNode words = output(contract, "words").path("normalization");
    for (int i = 0; i < test.length; i++) {
      // label by softmax, level by Ludwig's corn rule (cumulative probabilities)
      for (String category : List.of("label", "level")) {
        List<String> classes = JSON.convertValue(output(contract, category).path("classes"), List.class);
        assertEquals(expected.cell(i, category + "_predictions"),
            classes.get(out.path(category + "_predictions").get(i).asInt()), category + " row " + i);
        for (int c = 0; c < classes.size(); c++) {
          assertEquals(Double.parseDouble(expected.cell(i, category + "_probabilities_" + classes.get(c))),
              out.path(category + "_probabilities").get(i).get(c).asDouble(), 1e-5, category + " row " + i);
        }
      }
      double p = out.path("words_predictions").get(i).asDouble();
      assertEquals(Double.parseDouble(expected.cell(i, "words_predictions")),
          p * words.path("scale").asDouble() + words.path("shift").asDouble(), 1e-3, "row " + i);
    }
  }

  /** A frozen ResNet-18 trained on cached embeddings: the export runs the real encoder on pixels. */
  @Test
  void imageInputFromCachedEmbeddingsAgreesWithFidelioPredict(@TempDir Path dir) throws Exception {
    Random random = new Random(3);
    List<String> lines = new ArrayList<>(List.of("image,tint,warmth"));
    Files.createDirectories(dir.resolve("img"));
    for (int i = 0; i < 40; i++) {
      int red = 40 + random.nextInt(180), blue = 40 + random.nextInt(180);
      BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) image.setRGB(x, y, (red << 16) | ((x * y) % 256 << 8) | blue);
      }
      ImageIO.write(image, "png", dir.resolve("img/" + i + ".png").toFile());
      lines.add("img/" + i + ".png," + (red > blue ? "red" : "blue") + "," + (red - blue) / 100.0);
    }
    Path data = dir.resolve("tints.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features:
          - name: image
            type: image
            encoder: {type: resnet, model_variant: 18, use_pretrained: false, trainable: false}
            preprocessing: {height: 16, width: 16, num_channels: 3, standardize_image: imagenet1k,
                            cache_encoder_embeddings: true}
        output_features:
          - {name: tint, type: binary}
          - {name: warmth, type: number}
        combiner: {type: concat, num_fc_layers: 1, output_size: 8, norm: batch}
        trainer: {epochs: 3, batch_size: 8, learning_rate: 0.003, early_stop: -1}
        """);
    Path model = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "img", "run", 3), false)
        .resolve("model");
    JsonNode contract = export(model, dir);
    Table table = DatasetReader.read(data);
    int[] test = testRows(model, table);

    JsonNode image = input(contract, "image");
    assertEquals(16, image.path("height").asInt());
    double[] mean = JSON.convertValue(image.path("standardize").path("mean"), double[].class);
    double[] std = JSON.convertValue(image.path("standardize").path("std"), double[].class);
    List<Object> pixels = new ArrayList<>();
    for (int r : test) {
      BufferedImage read = ImageIO.read(dir.resolve(table.cell(r, "image")).toFile());
      float[][][] chw = new float[3][16][16];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 16; y++) {
          for (int x = 0; x < 16; x++) {
            float v = ((read.getRGB(x, y) >> (16 - 8 * c)) & 0xFF) / 255f;
            chw[c][y][x] = (v - (float) mean[c]) / (float) std[c];
          }
        }
      }
      pixels.add(chw);
    }
    JsonNode out = run(dir, Map.of(), Map.of("image", pixels));

    Table expected = predict(model, data, dir);
    assertEquals(expected.rowCount(), test.length);
    List<String> labels = JSON.convertValue(output(contract, "tint").path("labels"), List.class);
    for (int i = 0; i < test.length; i++) {
      assertEquals(expected.cell(i, "tint_predictions"), labels.get(out.path("tint_predictions").get(i).asInt()));
      assertEquals(Double.parseDouble(expected.cell(i, "tint_probabilities_" + labels.get(1))),
          out.path("tint_probabilities").get(i).get(1).asDouble(), 1e-5, "row " + i);
      assertEquals(Double.parseDouble(expected.cell(i, "warmth_predictions")),
          out.path("warmth_predictions").get(i).asDouble(), 1e-4, "row " + i);
    }
  }

  private static JsonNode export(Path model, Path dir) throws Exception {
    try (ModelBundle bundle = ModelBundle.load(model)) {
      TorchscriptExport.write(bundle, model, dir.resolve("export"));
    }
    assertTrue(Files.exists(dir.resolve("export/model.pt")));
    return JSON.readTree(dir.resolve("export/torchscript_contract.json").toFile());
  }

  private static int[] testRows(Path model, Table table) throws Exception {
    try (ModelBundle bundle = ModelBundle.load(model)) {
      return Splitter.split(table, bundle.config().preprocessing().split(), bundle.metadata().randomSeed()).test();
    }
  }

  private static Table predict(Path model, Path data, Path dir) throws Exception {
    Evaluation.run(model, data, Evaluation.Split.TEST, dir.resolve("predict"), false, 8);
    return DatasetReader.read(dir.resolve("predict/predictions.csv"));
  }

  private static JsonNode run(Path dir, Map<String, Object> longs, Map<String, Object> floats) throws Exception {
    Files.writeString(dir.resolve("inputs.json"), JSON.writeValueAsString(Map.of("int64", longs, "float32", floats)));
    return TorchscriptExportTest.runPython(dir.resolve("export"), dir.resolve("inputs.json"), dir.resolve("outputs.json"));
  }

  /** A number cell as the contract says: missing filled, then normalized (log1p or (v - shift) / scale). */
  private static float normalized(JsonNode contract, String cell) {
    double v = cell == null || cell.isBlank() ? contract.path("missing_value").path("fill_value").asDouble()
        : Double.parseDouble(cell);
    JsonNode n = contract.path("normalization");
    return (float) (n.path("type").asText().equals("log1p") ? Math.log1p(v)
        : (v - n.path("shift").asDouble()) / n.path("scale").asDouble());
  }

  private static JsonNode input(JsonNode contract, String name) {
    for (JsonNode input : contract.path("inputs")) if (input.path("name").asText().equals(name)) return input;
    throw new AssertionError("no input " + name + " in the contract");
  }

  private static JsonNode output(JsonNode contract, String name) {
    for (JsonNode output : contract.path("outputs")) if (output.path("name").asText().equals(name)) return output;
    throw new AssertionError("no output " + name + " in the contract");
  }

  private static String quote(String text) {
    return "\"" + text.replace("\"", "\"\"") + "\"";
  }
}
