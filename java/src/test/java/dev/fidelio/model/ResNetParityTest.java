package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.StateDict;
import dev.fidelio.weights.TorchCheckpointReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fidelio's ResNet against torchvision itself: torchvision's own code (Debian's python3-torchvision,
 * installed by bin/test) writes resnet18 and resnet50 checkpoints with non-trivial batch norm
 * statistics; Fidelio reads the .pth files without Python and reproduces torchvision's pooled
 * features and fc logits within 1e-4 (max abs) in evaluation mode.
 */
class ResNetParityTest {
  private static final double TOLERANCE = 1e-4;

  @TempDir static Path dir;

  @BeforeAll
  static void writeTorchvisionCheckpoints() throws IOException, InterruptedException {
    Path script = Path.of("src/test/python/torchvision_resnet_reference.py").toAbsolutePath();
    // Debian's own interpreter: python3-torch and python3-torchvision are installed for it.
    Process python = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString(), "18", "50")
        .redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(5, TimeUnit.MINUTES), "torchvision reference script timed out");
    assertEquals(0, python.exitValue(), "torchvision reference script failed (bin/test installs python3-torchvision):\n"
        + output);
  }

  @ParameterizedTest
  @ValueSource(ints = {18, 50})
  void featuresAndLogitsMatchTorchvision(int variant) throws IOException {
    StateDict checkpoint = TorchCheckpointReader.read(dir.resolve("resnet" + variant + ".pth"));
    float[] images = floats("resnet" + variant + "_images.f32");
    float[] expectedFeatures = floats("resnet" + variant + "_features.f32");
    float[] expectedLogits = floats("resnet" + variant + "_logits.f32");
    int featureSize = ResNet.featureSize(variant);
    int batch = expectedFeatures.length / featureSize;
    assertEquals(2, batch);

    try (ResNet resnet = ResNet.create(variant, 3, 7)) {
      Set<String> ours = new TreeSet<>(resnet.stateNames());
      Set<String> theirs = new TreeSet<>(checkpoint.names());
      theirs.removeIf(k -> k.startsWith(ResNet.HEAD_PREFIX));
      assertEquals(theirs, ours, "module keys are torchvision's state_dict keys minus the fc head");

      try (Tensor x = Tensor.of(images, batch, 3, 64, 64); Tensor initial = resnet.forward(x)) {
        assertTrue(maxAbsDiff(initial.toFloatArray(), expectedFeatures) > 1e-2, "before loading, features differ");
      }
      resnet.load(checkpoint);
      try (Tensor x = Tensor.of(images, batch, 3, 64, 64); Tensor features = resnet.forward(x)) {
        float[] got = features.toFloatArray();
        assertEquals(expectedFeatures.length, got.length);
        double spread = 0;
        for (float f : expectedFeatures) spread = Math.max(spread, Math.abs(f));
        assertTrue(spread > 0.1, "torchvision's features are not trivial: max abs " + spread);
        double featureDiff = maxAbsDiff(got, expectedFeatures);
        assertTrue(featureDiff < TOLERANCE, "resnet" + variant + " features differ by " + featureDiff);

        float[] logits = linear(got, batch, checkpoint.require("fc.weight"), checkpoint.require("fc.bias"));
        double logitDiff = maxAbsDiff(logits, expectedLogits);
        assertTrue(logitDiff < TOLERANCE, "resnet" + variant + " logits differ by " + logitDiff);
        System.out.printf("resnet%d vs torchvision: features max abs diff %.2e, logits %.2e%n", variant, featureDiff,
            logitDiff);
      }
    }
  }

  @Test
  void batchNormStatisticsAreLoadedNotDefaults() {
    StateDict checkpoint = TorchCheckpointReader.read(dir.resolve("resnet18.pth"));
    assertEquals(3.0f, checkpoint.require("layer1.0.bn1.num_batches_tracked").data()[0]);
    assertTrue(Math.abs(checkpoint.require("bn1.running_var").data()[0] - 1.0f) > 1e-3);
  }

  @Test
  void missingAndMisShapedWeightsAreListed() {
    StateDict checkpoint = TorchCheckpointReader.read(dir.resolve("resnet18.pth"));
    List<NamedTensor> broken = new ArrayList<>();
    for (NamedTensor t : checkpoint) {
      if (!t.name().equals("layer2.0.downsample.0.weight")) broken.add(t);
    }
    try (ResNet resnet50 = ResNet.create(50, 3, 1); ResNet resnet18 = ResNet.create(18, 3, 1)) {
      var wrongVariant = assertThrows(FidelioException.class, () -> resnet50.load(checkpoint));
      assertTrue(wrongVariant.getMessage().contains("missing keys: ") && wrongVariant.getMessage().contains("conv3"),
          wrongVariant.getMessage());
      var missing = assertThrows(FidelioException.class, () -> resnet18.load(new StateDict(broken)));
      assertTrue(missing.getMessage().contains("layer2.0.downsample.0.weight"), missing.getMessage());
    }
  }

  private static float[] linear(float[] x, int batch, NamedTensor weight, NamedTensor bias) {
    int out = (int) weight.dim(0), in = (int) weight.dim(1);
    float[] y = new float[batch * out];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < out; o++) {
        double sum = bias.data()[o];
        for (int i = 0; i < in; i++) sum += (double) x[b * in + i] * weight.data()[o * in + i];
        y[b * out + o] = (float) sum;
      }
    }
    return y;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(b.length, a.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    return max;
  }

  private static float[] floats(String name) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name))).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(out);
    return out;
  }
}
