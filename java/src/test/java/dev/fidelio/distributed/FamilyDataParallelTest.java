package dev.fidelio.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.cli.Launcher;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.Experiment;
import dev.fidelio.model.HfTextFolders;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.SafetensorsReader;
import dev.fidelio.weights.StateDict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training reaches a family's own modules: two Gloo workers training a trainable
 * DeBERTa-v3 (src/test/python/hf_text_folders.py's hub-style folder: disentangled attention,
 * relative embeddings) with Ludwig's attention reducer end with the weights of one process trained
 * on the whole global batch, every encoder and reducer weight included. SGD, so that float32
 * rounding of the summed gradients stays rounding (Adam's sqrt(v) would turn a rounding-level
 * gradient into a full step).
 */
class FamilyDataParallelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-5;

  @TempDir
  static Path dir;
  static Path data;
  static Path folder;

  @BeforeAll
  static void writeFolderAndData() throws Exception {
    folder = HfTextFolders.write(dir.resolve("hf")).resolve("deberta-v2");
    Table spam = DatasetReader.read(Path.of(System.getProperty("fidelio.root", "..")).resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      lines.add(JSON.writeValueAsString(Map.of("text", spam.cell(r, "text"), "label", spam.cell(r, "label"))));
    }
    data = dir.resolve("spam-slice.jsonl");
    Files.write(data, lines);
  }

  /** 32 training rows: two global batches of 16, each split 8/8 across two workers. */
  private static Path config(String name, int batchSize, int workers) throws Exception {
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, """
        input_features:
          - name: text
            type: text
            encoder: {type: deberta, pretrained_model_name_or_path: "%s", trainable: true, reduce_output: attention}
            preprocessing: {max_sequence_length: 24}
        output_features:
          - {name: label, type: category}
        trainer: {epochs: 2, batch_size: %d, learning_rate: 0.05, learning_rate_scaling: constant, early_stop: -1,
                  optimizer: {type: sgd}}
        preprocessing: {split: {type: random, probabilities: [0.8, 0.2, 0.0]}}
        backend: {type: local, trainer: {strategy: ddp, num_workers: %d}}
        """.formatted(folder, batchSize, workers));
    return config;
  }

  @Test
  void twoWorkersTrainATrainableFamilyAsOneProcess() throws Exception {
    Path single = Experiment.run(config("single", 16, 1), data,
        new Experiment.Settings(dir.resolve("single"), "e", "run", 11), false);
    var out = new ByteArrayOutputStream();
    int status;
    try (var print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      status = Launcher.run(new Launcher.Options(2, 1, 0, "127.0.0.1", 0, 120),
          List.of("train", "--config", config("two", 8, 2).toString(), "--dataset", data.toString(),
              "--output_directory", dir.resolve("two").toString(), "--experiment_name", "e", "--model_name", "run",
              "--random_seed", "11"), print);
    }
    assertEquals(0, status, out.toString(StandardCharsets.UTF_8));

    StateDict expected = weights(single);
    StateDict actual = weights(dir.resolve("two").resolve("e_run"));
    // The comparison can fail: one process at batch 8 (what a worker without synchronisation
    // computes) ends far from it, in the encoder's and the reducer's weights too.
    StateDict otherBatch = weights(Experiment.run(config("half", 8, 1), data,
        new Experiment.Settings(dir.resolve("half"), "e", "run", 11), false));
    double[] worst = largestDifference(expected, actual);
    double[] unsynchronised = largestDifference(expected, otherBatch);
    System.out.printf("deberta + attention, 2 workers vs 1 process: largest difference %.3g (encoder %.3g,"
        + " reducer %.3g); batch 8 instead of 16: encoder %.3g, reducer %.3g%n", worst[0], worst[1], worst[2],
        unsynchronised[1], unsynchronised[2]);
    assertTrue(unsynchronised[1] > 100 * TOLERANCE && unsynchronised[2] > 100 * TOLERANCE,
        "batch 8 vs 16: encoder " + unsynchronised[1] + ", reducer " + unsynchronised[2]);
    assertTrue(worst[0] < TOLERANCE, "weights differ by " + worst[0]);
  }

  /** Largest |a - b| over every weight, over the encoder's (".bert.") and over the reducer's. */
  private static double[] largestDifference(StateDict a, StateDict b) {
    assertEquals(a.names(), b.names());
    double[] worst = new double[3];
    for (NamedTensor e : a) {
      float[] other = b.require(e.name()).data();
      int part = e.name().contains(".bert.") ? 1 : e.name().contains(".reduce_sequence.") ? 2 : 0;
      for (int i = 0; i < other.length; i++) {
        double d = Math.abs(other[i] - e.data()[i]);
        worst[0] = Math.max(worst[0], d);
        worst[part] = Math.max(worst[part], d);
      }
    }
    return worst;
  }

  private static StateDict weights(Path results) {
    return SafetensorsReader.read(results.resolve("model/model_weights.safetensors")).tensors();
  }
}
