package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.api.FidelioModel;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.serve.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained model folder carries a manifest: a tampered copy is refused; predict keeps earlier outputs. */
class SavedModelIntegrityTest {
  @TempDir Path dir;

  private Path copyOfTheModel() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("model"));
    try (Stream<Path> files = Files.list(TinyModel.model())) {
      for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
    }
    return copy;
  }

  @Test
  void aModelWithFlippedWeightBytesIsRefused() throws Exception {
    Path model = copyOfTheModel();
    try (FidelioModel intact = FidelioModel.load(model)) {
      assertEquals(3, intact.outputFeatures().size());
    }
    Path weights = model.resolve(ModelBundle.WEIGHTS_FILE);
    byte[] bytes = Files.readAllBytes(weights);
    for (int i = 0; i < 100; i++) bytes[bytes.length - 1 - 37 * i] ^= 0x10;  // 100 flipped bytes among the floats
    Files.write(weights, bytes);
    var e = assertThrows(IllegalArgumentException.class, () -> FidelioModel.load(model));
    assertTrue(e.getMessage().contains("model_weights.safetensors has SHA-256")
        && e.getMessage().contains("is damaged or incomplete"), e.getMessage());
  }

  @Test
  void aSecondPredictIntoTheSameFolderKeepsTheFirstPredictions() throws Exception {
    Path out = dir.resolve("predictions");
    Evaluation.run(TinyModel.model(), TinyModel.data(), Evaluation.Split.TEST, out, false, 64);
    Evaluation.run(TinyModel.model(), TinyModel.data(), Evaluation.Split.TEST, out, false, 64);
    assertTrue(Files.isRegularFile(out.resolve("predictions.csv")));
    assertTrue(Files.isRegularFile(out.resolve("predictions_1.csv")));
    assertEquals(Files.readString(out.resolve("predictions.csv")), Files.readString(out.resolve("predictions_1.csv")));
  }
}
