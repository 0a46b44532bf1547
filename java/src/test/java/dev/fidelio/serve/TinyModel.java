package dev.fidelio.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.Experiment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small trained model for the serving and export tests, trained once per test JVM: 160 rows of
 * the spam example, the bundled MiniLM frozen (cached embeddings, 32 tokens), and one output of
 * each type: label (category), spam (binary yes/no), length (number: log10 of the characters).
 */
public final class TinyModel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path results;

  private TinyModel() {}

  /** The experiment's results folder (model/ and the dataset file data.jsonl beside it). */
  public static synchronized Path results() {
    if (results != null) return results;
    try {
      Path root = Path.of(System.getProperty("fidelio.root", ".."));
      Path dir = Files.createTempDirectory("fidelio-tiny-model");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
      List<String> lines = new ArrayList<>();
      for (int r = 0; r < 160; r++) {
        String text = spam.cell(r, "text");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("text", text);
        row.put("label", spam.cell(r, "label"));
        row.put("spam", spam.cell(r, "label").equals("spam") ? "yes" : "no");
        row.put("length", Math.log10(1 + text.length()));
        lines.add(JSON.writeValueAsString(row));
      }
      Path data = dir.resolve("data.jsonl");
      Files.write(data, lines);
      Path config = dir.resolve("config.yaml");
      Files.writeString(config, """
          input_features:
            - name: text
              type: text
              encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                        trainable: false, reduce_output: mean}
              preprocessing: {max_sequence_length: 32, cache_encoder_embeddings: true}
          output_features:
            - {name: label, type: category}
            - {name: spam, type: binary}
            - {name: length, type: number}
          combiner: {type: concat, num_fc_layers: 1, output_size: 16, norm: batch}
          trainer: {epochs: 4, batch_size: 16, learning_rate: 0.003, early_stop: -1}
          """);
      results = Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "tiny", "run", 11), false);
      return results;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp folder left behind is harmless
    }
  }

  public static Path model() {
    return results().resolve("model");
  }

  public static Path data() {
    return results().getParent().getParent().resolve("data.jsonl");
  }
}
