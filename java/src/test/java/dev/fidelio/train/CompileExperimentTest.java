package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.experiment.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trainer.compile: true on the CPU trains eagerly and evaluates through the faster of the frozen
 * TorchScript copy and the eager modules: the run's losses and test metrics equal those of
 * compile: false, and description.json says what compile did.
 */
class CompileExperimentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path run(Path dir, boolean compile) throws Exception {
    Random random = new Random(5);
    List<String> lines = new ArrayList<>(List.of("x,c,y"));
    for (int i = 0; i < 150; i++) {
      double x = random.nextGaussian();
      String c = "abc".substring(i % 3, i % 3 + 1);
      lines.add(String.format(Locale.ROOT, "%.4f,%s,%s", x, c, x + (c.equals("a") ? 1 : 0) > 0.3 ? "up" : "down"));
    }
    Path data = dir.resolve("data.csv");
    Files.write(data, lines);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, """
        input_features: [{name: x, type: number}, {name: c, type: category}]
        output_features: [{name: y, type: category}]
        combiner: {type: concat, fc_layers: [{output_size: 8}]}
        trainer: {epochs: 3, batch_size: 16, learning_rate: 0.02, compile: %s}
        """.formatted(compile));
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve(compile ? "c" : "e"), "x", "run", 4), true);
  }

  /** Same structure; numbers equal within float rounding (the frozen copy may sum in another order). */
  private static void assertClose(JsonNode expected, JsonNode actual, String path) {
    if (expected.isNumber()) {
      double e = expected.asDouble();
      assertTrue(Math.abs(e - actual.asDouble()) <= 1e-5 * Math.max(1, Math.abs(e)), path + ": " + e + " vs " + actual);
      return;
    }
    assertEquals(expected.size(), actual.size(), path);
    if (expected.isObject()) {
      expected.fieldNames().forEachRemaining(f -> assertClose(expected.get(f), actual.path(f), path + "." + f));
    } else if (expected.isArray()) {
      for (int i = 0; i < expected.size(); i++) assertClose(expected.get(i), actual.get(i), path + "[" + i + "]");
    } else {
      assertEquals(expected, actual, path);
    }
  }

  @Test
  void compileOnTheCpuGivesTheEagerRunsResultsAndSaysWhatItDid(@TempDir Path dir) throws Exception {
    Path eager = run(dir, false);
    Path compiled = run(dir, true);
    JsonNode eagerStats = JSON.readTree(eager.resolve("training_statistics.json").toFile());
    JsonNode compiledStats = JSON.readTree(compiled.resolve("training_statistics.json").toFile());
    assertClose(eagerStats.path("validation"), compiledStats.path("validation"), "validation");
    assertClose(JSON.readTree(eager.resolve("test_statistics.json").toFile()),
        JSON.readTree(compiled.resolve("test_statistics.json").toFile()), "test");

    JsonNode description = JSON.readTree(compiled.resolve("description.json").toFile());
    assertEquals("cpu", description.path("device").asText());
    JsonNode compile = description.path("compile");
    assertTrue(compile.path("report").asText().startsWith("training eager ("), compile.toString());
    assertTrue(List.of("frozen", "eager").contains(compile.path("evaluation_forward").asText()), compile.toString());
    assertTrue(compile.path("first_batch_ms").path("eager").asDouble() > 0, compile.toString());
    assertTrue(compile.path("frozen_max_relative_difference").asDouble() < 1e-5, compile.toString());
    assertTrue(JSON.readTree(eager.resolve("description.json").toFile()).path("compile").isMissingNode());
  }
}
