package dev.fidelio.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The interpolate resize against torchvision's own (Debian's python3-torchvision, installed by
 * bin/test): random 8-bit images up- and downsampled give the same bytes, except off by one where
 * the interpolated value is an exact tie at .5 and LibTorch's vectorised float kernel rounds the
 * other way (measured: upsampling 8x8 to 32x32 all equal; 40x50 to 24x20, 95.5% equal).
 */
class ImageResizeParityTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"1, 8, 8, 32, 32", "3, 40, 50, 24, 20", "3, 7, 5, 13, 9"})
  void bilinearMatchesTorchvision(int channels, int height, int width, int outHeight, int outWidth) throws Exception {
    byte[] pixels = new byte[channels * height * width];
    new Random(height * 31L + width).nextBytes(pixels);
    Path in = dir.resolve("in.u8"), out = dir.resolve("out.u8");
    Files.write(in, pixels);
    Path script = Path.of("src/test/python/image_resize_reference.py").toAbsolutePath();
    Process python = new ProcessBuilder("/usr/bin/python3", script.toString(), in.toString(), "" + channels, "" + height,
        "" + width, "" + outHeight, "" + outWidth, out.toString()).redirectErrorStream(true).start();
    String log = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(2, TimeUnit.MINUTES), "torchvision resize timed out");
    assertEquals(0, python.exitValue(), "torchvision resize failed (bin/test installs python3-torchvision):\n" + log);

    byte[] expected = Files.readAllBytes(out);
    byte[] ours = ImageDecoder.bilinear(new ImageDecoder.Pixels(new ImageDecoder.Shape(height, width, channels), pixels),
        outHeight, outWidth);
    assertEquals(expected.length, ours.length);
    int maxDiff = 0, exact = 0;
    for (int i = 0; i < ours.length; i++) {
      int d = Math.abs((ours[i] & 0xFF) - (expected[i] & 0xFF));
      maxDiff = Math.max(maxDiff, d);
      if (d == 0) exact++;
    }
    System.out.printf("resize %dx%d -> %dx%d vs torchvision: %d of %d bytes equal, max difference %d%n", height, width,
        outHeight, outWidth, exact, ours.length, maxDiff);
    assertTrue(maxDiff <= 1, "max difference " + maxDiff);
    assertTrue(exact >= ours.length * 0.9, exact + " of " + ours.length + " pixels equal");
  }
}
