package dev.fidelio.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.FidelioException;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.StateDict;
import dev.fidelio.weights.TorchvisionWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fidelio's torchvision image encoders against torchvision itself (Debian's python3-torchvision,
 * installed by bin/test): torchvision's own code builds each (type, model_variant) with random
 * weights and perturbed normalisation statistics, saves the whole state_dict under torchvision's own
 * file name, and writes an input batch, the features at Ludwig's cut and train-mode gradients
 * (java/src/test/python/torchvision_image_reference.py). Fidelio finds the file by type and
 * model_variant in model_cache_dir, loads it strictly through the ABI (minus the keys Ludwig
 * removes) and matches the features within each case's tolerance (max abs) and the gradients of
 * the first and last parameter, in float64, within 1e-4 (max abs relative to the largest reference value).
 * A family joins by adding a row to {@link #CASES}.
 */
class ImageEncoderParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double GRADIENT_TOLERANCE = 1e-4;

  /**
   * One torchvision model: Ludwig's type and model_variant, the image side (small where the
   * architecture allows, to keep the test fast; batch 2), the features' max abs tolerance, and
   * whether train-mode gradients are compared (one variant per family).
   */
  record Case(String type, String variant, int size, double tolerance, boolean gradients) {
    @Override
    public String toString() {
      return type + " " + variant;
    }

    String stem() {
      return type + "_" + variant;
    }
  }

  static final List<Case> CASES = List.of(
      new Case("resnet", "18", 64, 1e-4, true),
      new Case("resnet", "50", 64, 1e-4, false),
      new Case("resnext", "50_32x4d", 64, 1e-4, true),
      new Case("wide_resnet", "50_2", 64, 1e-4, true),
      // VGG's classifier takes 512 x 7 x 7 whatever the input (adaptive pooling): 32 px suffices.
      new Case("vgg", "11_bn", 32, 1e-4, true),
      // AlexNet's smallest input is 63 px (torchvision's min_size).
      new Case("alexnet", "base", 64, 1e-4, true),
      new Case("squeezenet", "1_0", 64, 1e-4, false),
      new Case("squeezenet", "1_1", 64, 1e-4, true),
      // The other families through the same path (file name, removed head keys, ABI); their every
      // variant and gradients are checked natively (image_mobile_test, image_transformers_test).
      new Case("mobilenetv2", "base", 64, 1e-4, false),
      new Case("mobilenetv3", "small", 64, 1e-4, false),
      new Case("efficientnet", "b0", 64, 1e-4, false),
      new Case("mnasnet", "0_5", 64, 1e-4, false),
      new Case("shufflenet_v2", "x0_5", 64, 1e-4, false),
      new Case("regnet", "y_400mf", 64, 1e-4, false),
      new Case("densenet", "121", 64, 1e-4, false),
      new Case("convnext", "tiny", 64, 1e-4, false),
      new Case("swin_transformer", "t", 64, 1e-4, false),
      // Natively tested only: vit and maxvit (224 px only: vit's position embedding is sized for it) and
      // inceptionv3 (this reference's batch-norm statistics, from batches of 2, blow its features up to
      // ~1e8; image_transformers_test gathers them from larger batches).
      new Case("googlenet", "base", 64, 1e-4, false));

  @TempDir static Path dir;

  static Stream<Case> cases() {
    return CASES.stream();
  }

  @BeforeAll
  static void writeTorchvisionCheckpoints() throws IOException, InterruptedException {
    Path script = Path.of("src/test/python/torchvision_image_reference.py").toAbsolutePath();
    Path table = Path.of("src/main/resources/dev/fidelio/weights/torchvision-weights.tsv").toAbsolutePath();
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), table.toString(),
        dir.toString()));
    for (Case c : CASES) command.add(c.type() + ":" + c.variant() + ":" + c.size());
    // Debian's own interpreter: python3-torch and python3-torchvision are installed for it.
    Process python = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(10, TimeUnit.MINUTES), "torchvision reference script timed out");
    assertEquals(0, python.exitValue(), "torchvision reference script failed (bin/test installs python3-torchvision):\n"
        + output);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void featuresAndGradientsMatchTorchvision(Case c) throws IOException {
    JsonNode reference = JSON.readTree(dir.resolve(c.stem() + ".json").toFile());
    TorchvisionWeights weights = TorchvisionWeights.of(c.type(), c.variant());
    Path file = weights.find(dir.toString(), Map.of(), dir.resolve("no-home"));
    assertEquals(reference.path("file").asText(), file.getFileName().toString(), "found by torchvision's file name");
    StateDict checkpoint = TorchvisionWeights.read(file);
    float[] images = floats(c.stem() + "_images.f32");
    float[] expected = floats(c.stem() + "_features.f32");

    try (ImageEncoder encoder = ImageEncoder.create(c.type(), c.variant(), 7)) {
      int featureSize = encoder.featureSize();
      assertEquals(reference.path("feature_size").asInt(), featureSize);
      Set<String> theirs = new TreeSet<>(checkpoint.names());
      Set<String> removed = new TreeSet<>();
      reference.path("removed_keys").forEach(k -> removed.add(k.asText()));
      theirs.removeIf(k -> weights.removedPrefixes().stream().anyMatch(k::startsWith));
      assertEquals(new TreeSet<>(checkpoint.names()).size() - removed.size(), theirs.size(),
          "the removed prefixes drop exactly the keys Ludwig's cut drops: " + removed);
      assertEquals(theirs, new TreeSet<>(encoder.stateNames()), "module keys are torchvision's minus Ludwig's cut");

      try (Tensor x = Tensor.of(images, 2, 3, c.size(), c.size()); Tensor initial = encoder.forward(x)) {
        assertTrue(maxAbsDiff(initial.toFloatArray(), expected) > 1e-3, "before loading, features differ");
      }
      encoder.load(checkpoint, weights.removedPrefixes());
      try (Tensor x = Tensor.of(images, 2, 3, c.size(), c.size()); Tensor features = encoder.forward(x)) {
        assertEquals(List.of(2L, (long) featureSize), List.of(features.shape()[0], features.shape()[1]));
        double spread = 0;
        for (float f : expected) spread = Math.max(spread, Math.abs(f));
        assertTrue(spread > 1e-2, "torchvision's features are not trivial: max abs " + spread);
        double diff = maxAbsDiff(features.toFloatArray(), expected);
        System.out.printf("%s vs torchvision: features max abs diff %.2e (max abs %.2e)%n", c, diff, spread);
        assertTrue(diff < c.tolerance(), c + " features differ by " + diff);
      }
    }
    if (c.gradients()) compareGradients(c, checkpoint, weights, reference, images);
  }

  /**
   * In float64 on both sides: train-mode batch norm over 2 small images is ill-conditioned, so float32
   * gradients differ by up to 4% even between torchvision's CPU kernels in float32 and float64.
   */
  private static void compareGradients(Case c, StateDict checkpoint, TorchvisionWeights weights, JsonNode reference,
                                       float[] images) throws IOException {
    float[] weight = floats(c.stem() + "_weight.f32");
    try (ImageEncoder encoder = ImageEncoder.create(c.type(), c.variant(), 3, DType.FLOAT64, 7)) {
      encoder.load(checkpoint, weights.removedPrefixes());
      try (Tensor x = Tensor.of(images, 2, 3, c.size(), c.size());
           Tensor w = Tensor.of(weight, 2, weight.length / 2)) {
        ImageHooks.lossGrad(encoder, x, w);
      }
      compareGradients(c, encoder, reference);
    }
  }

  private static void compareGradients(Case c, ImageEncoder encoder, JsonNode reference) throws IOException {
    List<String> names = encoder.stateNames();
    for (JsonNode key : reference.path("gradient_keys")) {
      float[] expected = floats(c.stem() + "_grads/" + key.asText() + ".f32");
      try (Tensor stored = encoder.gradient(names.indexOf(key.asText())); Tensor grad = stored.to(DType.FLOAT32)) {
        double scale = 0;
        for (float g : expected) scale = Math.max(scale, Math.abs(g));
        double relative = maxAbsDiff(grad.toFloatArray(), expected) / scale;
        System.out.printf("%s train-mode gradient of %s: max abs diff / max abs %.2e%n", c, key.asText(), relative);
        assertTrue(scale > 0 && relative < GRADIENT_TOLERANCE, c + " gradient of " + key.asText() + " differs by "
            + relative + " (relative)");
      }
    }
  }

  @Test
  void batchNormStatisticsAreLoadedNotDefaults() {
    StateDict checkpoint = TorchvisionWeights.read(dir.resolve("resnet18-f37072fd.pth"));
    assertEquals(3.0f, checkpoint.require("layer1.0.bn1.num_batches_tracked").data()[0]);
    assertTrue(Math.abs(checkpoint.require("bn1.running_var").data()[0] - 1.0f) > 1e-3);
  }

  @Test
  void missingAndMisShapedWeightsAreListed() {
    StateDict checkpoint = TorchvisionWeights.read(dir.resolve("resnet18-f37072fd.pth"));
    List<NamedTensor> broken = new ArrayList<>();
    for (NamedTensor t : checkpoint) {
      if (!t.name().equals("layer2.0.downsample.0.weight")) broken.add(t);
    }
    try (ImageEncoder resnet50 = ImageEncoder.create("resnet", "50", 1);
         ImageEncoder resnet18 = ImageEncoder.create("resnet", "18", 1)) {
      var wrongVariant = assertThrows(FidelioException.class, () -> resnet50.load(checkpoint, List.of("fc.")));
      assertTrue(wrongVariant.getMessage().contains("missing keys: ") && wrongVariant.getMessage().contains("conv3"),
          wrongVariant.getMessage());
      var missing = assertThrows(FidelioException.class, () -> resnet18.load(new StateDict(broken), List.of("fc.")));
      assertTrue(missing.getMessage().contains("layer2.0.downsample.0.weight"), missing.getMessage());
      var head = assertThrows(FidelioException.class, () -> resnet18.load(checkpoint, List.of()));
      assertTrue(head.getMessage().contains("fc.weight"), "keys Ludwig keeps out are unexpected: " + head.getMessage());
    }
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
