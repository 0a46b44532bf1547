package dev.fidelio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RenderConfigCommandTest {
  @Test
  void printsTheExampleFullyResolved() {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    StringWriter out = new StringWriter();
    var cli = FidelioCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    int code = cli.execute("render_config", "--config", root.resolve("examples/spam/full_fine_tuning.yaml").toString());
    assertEquals(0, code);
    String yaml = out.toString();
    // Given values kept, defaults filled in.
    assertTrue(yaml.contains("warmup_fraction: 0.2") && yaml.contains("decay: \"linear\"") || yaml.contains("decay: linear"), yaml);
    assertTrue(yaml.contains("early_stop: 5"), yaml);
    assertTrue(yaml.contains("split:"), yaml);
  }

  /** One validation: what train refuses, render_config refuses with the same error, before any data is read. */
  @Test
  void refusesWhatTrainRefuses(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.yaml");
    java.nio.file.Files.writeString(config, """
        input_features: [{name: x, type: number}]
        output_features: [{name: y, type: category, loss: {robust_lambda: 0.2}}]
        trainer: {optimizer: {type: adam, amsgrad: true}}
        """);
    String[] errors = new String[2];
    int[] codes = new int[2];
    String[][] commands = {{"render_config", "--config", config.toString()},
        {"train", "--config", config.toString(), "--dataset", dir.resolve("absent.csv").toString()}};
    for (int i = 0; i < 2; i++) {
      StringWriter err = new StringWriter();
      var cli = FidelioCli.commandLine();
      cli.setErr(new PrintWriter(err, true));
      cli.setOut(new PrintWriter(new StringWriter(), true));
      codes[i] = cli.execute(commands[i]);
      errors[i] = err.toString();
    }
    for (int i = 0; i < 2; i++) {
      assertEquals(1, codes[i], commands[i][0] + ": " + errors[i]);
      assertTrue(errors[i].contains("output_features[0].loss.robust_lambda") && errors[i].contains("trainer.optimizer.amsgrad"), commands[i][0] + ": " + errors[i]);
    }
  }
}
