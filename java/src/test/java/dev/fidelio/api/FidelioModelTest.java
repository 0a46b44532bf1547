package dev.fidelio.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.Evaluation;
import dev.fidelio.serve.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API: same predictions as `fidelio predict`, safe from many threads, clear input errors. */
class FidelioModelTest {
  @Test
  void predictsWhatFidelioPredictWritesAndIsSafeFromManyThreads(@TempDir Path dir) throws Exception {
    Table data = DatasetReader.read(TinyModel.data());
    int n = 40;
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int r = 0; r < n; r++) rows.add(Map.of("text", data.cell(r, "text")));
    // `fidelio predict` on the same rows, as a file
    Path subset = dir.resolve("subset.csv");
    List<String> lines = new ArrayList<>(List.of("text"));
    for (var row : rows) lines.add("\"" + row.get("text").toString().replace("\"", "\"\"") + "\"");
    Files.write(subset, lines);
    Evaluation.run(TinyModel.model(), subset, Evaluation.Split.FULL, dir.resolve("out"), false, 7);
    Table csv = DatasetReader.read(dir.resolve("out/predictions.csv"));

    try (FidelioModel model = FidelioModel.load(TinyModel.model(), 5)) {
      Predictions all = model.predict(rows);
      assertEquals(n, all.size());
      for (int r = 0; r < n; r++) {
        assertEquals(csv.cell(r, "label_predictions"), all.row(r).get("label_predictions"));
        assertEquals(csv.cell(r, "spam_predictions"), all.row(r).get("spam_predictions"));
        assertEquals(Float.parseFloat(csv.cell(r, "length_predictions")), (Float) all.row(r).get("length_predictions"),
            1e-5f);
        assertEquals(Float.parseFloat(csv.cell(r, "label_probability")), (Float) all.row(r).get("label_probability"),
            1e-5f);
      }
      // 8 threads, each predicting its own slices repeatedly, agree with the single-threaded answers.
      try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
        List<Future<Boolean>> checks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int from = t * 5;
          checks.add(pool.submit(() -> {
            for (int repeat = 0; repeat < 3; repeat++) {
              Predictions p = model.predict(rows.subList(from, from + 5));
              for (int i = 0; i < 5; i++) {
                Map<String, Object> got = p.row(i);
                Map<String, Object> want = all.row(from + i);
                if (!got.get("label_predictions").equals(want.get("label_predictions"))) return false;
                if (Math.abs((Float) got.get("spam_probability") - (Float) want.get("spam_probability")) > 1e-5) {
                  return false;
                }
              }
            }
            return true;
          }));
        }
        for (Future<Boolean> check : checks) assertTrue(check.get());
      }
    }
  }

  @Test
  void badRowsNameTheFeature() {
    try (FidelioModel model = FidelioModel.load(TinyModel.model())) {
      var missing = assertThrows(InvalidInputException.class, () -> model.predict(List.of(Map.of("txt", "a"))));
      assertEquals("text", missing.feature());
      assertTrue(missing.getMessage().contains("input feature 'text' is missing"), missing.getMessage());
      var wrongType = assertThrows(InvalidInputException.class,
          () -> model.predict(List.of(Map.of("text", "ok"), Map.of("text", List.of("a")))));
      assertTrue(wrongType.getMessage().contains("input feature 'text' (row 1) must be a string, got a list"),
          wrongType.getMessage());
      // null is a missing value: the feature's fill value is used, as in a dataset
      Map<String, Object> nullText = new HashMap<>();
      nullText.put("text", null);
      assertEquals(1, model.predict(List.of(nullText)).size());
      assertEquals(0, model.predict(List.of()).size());
    }
  }
}
