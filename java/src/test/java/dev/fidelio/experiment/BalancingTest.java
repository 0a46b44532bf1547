package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.features.Dataset;
import dev.fidelio.runtime.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * preprocessing.oversample_minority / undersample_majority change the class counts the training
 * split holds (what the trainer sees), to Ludwig's ratio, and leave validation and test alone.
 */
class BalancingTest {

  /** 1000 rows, 10% positive. */
  private static Path data(Path dir) throws Exception {
    List<String> lines = new ArrayList<>(List.of("x,y"));
    for (int i = 0; i < 1000; i++) lines.add(i + "," + (i % 10 == 0 ? "yes" : "no"));
    Files.createDirectories(dir);
    Path csv = dir.resolve("imbalanced.csv");
    Files.write(csv, lines);
    return csv;
  }

  private static Dataset[] splits(Path dir, String preprocessing) throws Exception {
    FidelioConfig config = FidelioConfig.parse("""
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: binary}]
        preprocessing: {%s}
        """.formatted(preprocessing));
    try (TextEncoders encoders = TextEncoders.load(config)) {
      var data = Preparation.start(config, data(dir), 42, encoders, dir.resolve("store")).data();
      return new Dataset[] {data.training(), data.validation(), data.test()};
    }
  }

  /** {positives, negatives} of a split's targets. */
  private static int[] classCounts(Dataset split) {
    int[] rows = IntStream.range(0, split.size()).toArray();
    try (Tensor target = split.targetTensors(rows).getFirst()) {
      float[] values = target.toFloatArray();
      int positives = 0;
      for (float v : values) if (v == 1f) positives++;
      return new int[] {positives, values.length - positives};
    }
  }

  @Test
  void oversamplingRepeatsTheMinority(@TempDir Path dir) throws Exception {
    Dataset[] plain = splits(dir.resolve("plain"), "");
    Dataset[] balanced = splits(dir.resolve("over"), "oversample_minority: 0.5");
    int[] before = classCounts(plain[0]);
    int[] after = classCounts(balanced[0]);
    assertEquals(before[1], after[1], "the majority keeps its rows");
    assertEquals(Math.round(before[1] * 0.5), after[0], "minority = 0.5 x majority: " + before[0] + " -> " + after[0]);
    assertEquals(plain[1].size(), balanced[1].size(), "validation is not resampled");
    assertEquals(plain[2].size(), balanced[2].size(), "test is not resampled");
  }

  @Test
  void undersamplingDropsMajorityRows(@TempDir Path dir) throws Exception {
    int[] before = classCounts(splits(dir.resolve("plain"), "")[0]);
    int[] after = classCounts(splits(dir.resolve("under"), "undersample_majority: 0.5")[0]);
    assertEquals(before[0], after[0], "the minority keeps its rows");
    assertEquals((int) (before[0] / 0.5), after[1], "majority = minority / 0.5");
    assertTrue(after[1] < before[1]);
  }
}
