package dev.fidelio.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A pretrained torchvision encoder's preprocessing (shorter side resized to resize_size, centre
 * crop, ImageNet mean/std) against torchvision's own ImageClassification transform on random 8-bit
 * RGB images, bilinear and bicubic, portrait and landscape. Values agree within one 8-bit level
 * (1 / 255 / std after standardising): exact .5 ties round either way in LibTorch's float kernels.
 */
class ImageTransformParityTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"40, 50, 36, 32, bilinear", "50, 40, 36, 32, bicubic", "30, 30, 64, 56, bicubic",
      "90, 70, 40, 36, bilinear"})
  void pretrainedTransformsMatchTorchvision(int height, int width, int resize, int crop, String interpolation)
      throws Exception {
    byte[] pixels = new byte[3 * height * width];
    new Random(height * 31L + width).nextBytes(pixels);
    Path in = dir.resolve("in.u8"), out = dir.resolve("out.f32");
    Files.write(in, pixels);
    Path script = Path.of("src/test/python/torchvision_transform_reference.py").toAbsolutePath();
    Process python = new ProcessBuilder("/usr/bin/python3", script.toString(), in.toString(), "3", "" + height,
        "" + width, "" + resize, "" + crop, interpolation, out.toString()).redirectErrorStream(true).start();
    String log = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(2, TimeUnit.MINUTES), "torchvision transform timed out");
    assertEquals(0, python.exitValue(), "torchvision transform failed (bin/test installs python3-torchvision):\n" + log);
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    float[] expected = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(expected);

    ImageMetadata target = new ImageMetadata(crop, crop, 3, "interpolate", true, resize, interpolation);
    ImageDecoder.Pixels source = new ImageDecoder.Pixels(new ImageDecoder.Shape(height, width, 3), pixels);
    byte[] ours = ImageDecoder.cropOrPad(ImageDecoder.resizeShorterSide(source, target), crop, crop);
    assertEquals(expected.length, ours.length);
    int plane = crop * crop, exact = 0;
    double maxDiff = 0;
    for (int i = 0; i < ours.length; i++) {
      int c = i / plane;
      float v = ((ours[i] & 0xFF) / 255f - ImageMetadata.IMAGENET_MEAN[c]) / ImageMetadata.IMAGENET_STD[c];
      double d = Math.abs(v - expected[i]);
      maxDiff = Math.max(maxDiff, d);
      if (d < 1e-5) exact++;
    }
    System.out.printf("%s %dx%d -> resize %d, crop %d vs torchvision: %d of %d values equal, max difference %.4f%n",
        interpolation, height, width, resize, crop, exact, ours.length, maxDiff);
    assertTrue(maxDiff <= 1.01 / 255 / 0.224, "max difference " + maxDiff);
    assertTrue(exact >= ours.length * 0.9, exact + " of " + ours.length + " values equal");
  }
}
