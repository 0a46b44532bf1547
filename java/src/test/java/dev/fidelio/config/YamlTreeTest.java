package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config reader's YAML: aliases and merge keys work, bombs and second documents are refused. */
class YamlTreeTest {
  @TempDir Path dir;

  private static final String FEATURES = """
      input_features:
        - name: a
          type: number
          preprocessing: &scaled {normalization: minmax, missing_value_strategy: fill_with_mean}
        - name: b
          type: number
          preprocessing: *scaled
        - name: c
          type: number
          preprocessing:
            <<: *scaled
            normalization: zscore
      output_features:
        - {name: y, type: binary}
      """;

  @Test
  void aliasesAndMergeKeysExpandAsLudwigsYamlDoes() {
    FidelioConfig config = FidelioConfig.parse(FEATURES);
    var b = (NumberInputFeature) config.inputFeatures().get(1);
    var c = (NumberInputFeature) config.inputFeatures().get(2);
    assertEquals(((NumberInputFeature) config.inputFeatures().get(0)).preprocessing(), b.preprocessing());
    String rendered = config.toYaml();
    assertTrue(rendered.contains("normalization: zscore"), rendered);  // the explicit key beats the merged one
    assertEquals(b.preprocessing().missingValueStrategy(), c.preprocessing().missingValueStrategy());
  }

  @Test
  void anAliasBombIsRefusedQuickly() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char level = 'b'; level <= 'j'; level++) {
      char previous = (char) (level - 1);
      bomb.append(level).append(": &").append(level).append(" [");
      for (int i = 0; i < 9; i++) bomb.append(i == 0 ? "" : ", ").append('*').append(previous);
      bomb.append("]\n");
    }
    long started = System.nanoTime();
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(bomb.toString()));
    assertTrue(e.getMessage().contains("more than " + YamlTree.MAX_VALUES + " values"), e.getMessage());
    assertTrue(System.nanoTime() - started < 2_000_000_000L);
  }

  @Test
  void secondDocumentsTrailingJunkAndUnknownAliasesAreSyntaxErrors() {
    for (String text : new String[] {FEATURES + "---\ninput_features: []\n",
        "{\"input_features\": [], \"output_features\": []} junk",
        "{\"input_features\": []} {\"output_features\": []}",
        "input_features: *nowhere\n", "a: &a [1, *a]\n"}) {
      var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(text), text);
      assertTrue(e.getMessage().contains("YAML syntax error at line"), e.getMessage());
    }
  }

  @Test
  void aBinaryFileIsNotUtf8Text() throws Exception {
    Path binary = Files.write(dir.resolve("config.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80});
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.load(binary));
    assertTrue(e.getMessage().contains("is not UTF-8 text"), e.getMessage());
  }
}
