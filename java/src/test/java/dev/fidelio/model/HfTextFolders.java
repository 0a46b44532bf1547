package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Writes the hub-style model folders of src/test/python/hf_text_folders.py (the nine non-BERT
 * families on the native reference tests' weights, with tokenizer.json and expected outputs) under
 * dir: dir/roberta, dir/deberta-v2, ... and dir/ids/&lt;model_type&gt;.
 */
public final class HfTextFolders {
  private HfTextFolders() {}

  public static Path write(Path dir) throws Exception {
    Process python = new ProcessBuilder("/usr/bin/python3", "src/test/python/hf_text_folders.py", dir.toString())
        .redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(120, TimeUnit.SECONDS), "python3 timed out");
    assertEquals(0, python.exitValue(), "hf_text_folders.py (plain PyTorch; bin/test installs python3-torch) failed:\n"
        + output);
    return dir;
  }
}
