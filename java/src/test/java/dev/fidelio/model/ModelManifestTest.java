package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder's manifest: an intact folder passes, any changed, missing or unlisted file is named. */
class ModelManifestTest {
  @TempDir Path dir;

  private void folder() throws Exception {
    Files.writeString(dir.resolve("model_hyperparameters.json"), "{}");
    Files.write(dir.resolve("model_weights.safetensors"), new byte[4096]);
    ModelManifest.write(dir);
  }

  @Test
  void anIntactFolderPasses() throws Exception {
    folder();
    ModelManifest.verify(dir, List.of("model_hyperparameters.json", "model_weights.safetensors"));
  }

  @Test
  void flippedBytesAreNamed() throws Exception {
    folder();
    byte[] weights = Files.readAllBytes(dir.resolve("model_weights.safetensors"));
    for (int i = 1000; i < 1100; i++) weights[i] ^= 0x5a;  // 100 flipped bytes, same size
    Files.write(dir.resolve("model_weights.safetensors"), weights);
    var e = assertThrows(IllegalArgumentException.class,
        () -> ModelManifest.verify(dir, List.of("model_weights.safetensors")));
    assertTrue(e.getMessage().contains("model_weights.safetensors has SHA-256"), e.getMessage());
  }

  @Test
  void truncatedMissingUnlistedAndNoManifestAreNamed() throws Exception {
    folder();
    Files.write(dir.resolve("model_weights.safetensors"), new byte[10]);
    var cut = assertThrows(IllegalArgumentException.class, () -> ModelManifest.verify(dir, List.of()));
    assertTrue(cut.getMessage().contains("has 10 bytes, its manifest says 4096"), cut.getMessage());
    Files.delete(dir.resolve("model_weights.safetensors"));
    var gone = assertThrows(IllegalArgumentException.class, () -> ModelManifest.verify(dir, List.of()));
    assertTrue(gone.getMessage().contains("model_weights.safetensors is missing"), gone.getMessage());
    var unlisted = assertThrows(IllegalArgumentException.class, () -> ModelManifest.verify(dir, List.of("tokenizer.json")));
    assertTrue(unlisted.getMessage().contains("does not list tokenizer.json"), unlisted.getMessage());
    Files.writeString(dir.resolve(ModelManifest.FILE), "{\"format\": 1, \"files\": {}} trailing");
    var junk = assertThrows(IllegalArgumentException.class, () -> ModelManifest.verify(dir, List.of()));
    assertTrue(junk.getMessage().contains("cannot be read"), junk.getMessage());
    Files.delete(dir.resolve(ModelManifest.FILE));
    var none = assertThrows(IllegalArgumentException.class, () -> ModelManifest.verify(dir, List.of()));
    assertTrue(none.getMessage().contains("has no model_manifest.json"), none.getMessage());
  }
}
