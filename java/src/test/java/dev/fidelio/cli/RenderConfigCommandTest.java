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
}
