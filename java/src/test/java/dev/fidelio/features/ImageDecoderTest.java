package dev.fidelio.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image decoding and resizing against hand-computed values: gray PNG samples read as stored,
 * RGB to gray by PIL's luma, bilinear resize with half-pixel centres, centre crop and padding.
 * (ImageResizeParityTest checks the resize against torch itself.)
 */
class ImageDecoderTest {
  @TempDir Path dir;

  private Path png(String name, BufferedImage image) throws IOException {
    Path file = dir.resolve(name);
    assertTrue(ImageIO.write(image, "png", file.toFile()));
    return file;
  }

  @Test
  void grayPngSamplesAreReadAsStored() throws Exception {
    BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    int[] values = {0, 16, 100, 128, 200, 255};
    gray.getRaster().setPixels(0, 0, 3, 2, values);
    ImageDecoder.Pixels pixels = ImageDecoder.read(png("gray.png", gray));
    assertEquals(new ImageDecoder.Shape(2, 3, 1), pixels.shape());
    for (int i = 0; i < values.length; i++) assertEquals(values[i], pixels.chw()[i] & 0xFF);
  }

  @Test
  void rgbBecomesGrayByLumaAndGrayBecomesRgbByReplication() throws Exception {
    BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, (200 << 16) | (100 << 8) | 50);
    ImageDecoder.Pixels pixels = ImageDecoder.read(png("rgb.png", rgb));
    assertArrayEquals(new byte[] {(byte) 200, 100, 50}, pixels.chw());
    // PIL "L": 200*0.299 + 100*0.587 + 50*0.114 = 124.2 -> 124
    assertEquals(124, ImageDecoder.toChannels(pixels, 1).chw()[0] & 0xFF);
    var gray = new ImageDecoder.Pixels(new ImageDecoder.Shape(1, 1, 1), new byte[] {42});
    assertArrayEquals(new byte[] {42, 42, 42}, ImageDecoder.toChannels(gray, 3).chw());
  }

  @Test
  void bilinearUpsamplingUsesHalfPixelCentres() {
    // 1x2 row [0, 100] to width 4: source x = (x + 0.5) / 2 - 0.5 = -0.25 (clamped 0), 0.25, 0.75, 1.25 (edge)
    var row = new ImageDecoder.Pixels(new ImageDecoder.Shape(1, 2, 1), new byte[] {0, 100});
    byte[] out = ImageDecoder.bilinear(row, 1, 4);
    assertArrayEquals(new byte[] {0, 25, 75, 100}, out);
  }

  @Test
  void cropOrPadCentresAndPadsWithTheEdgePixels() {
    byte[] fourByFour = new byte[16];
    for (int i = 0; i < 16; i++) fourByFour[i] = (byte) i;
    var image = new ImageDecoder.Pixels(new ImageDecoder.Shape(4, 4, 1), fourByFour);
    assertArrayEquals(new byte[] {5, 6, 9, 10}, ImageDecoder.cropOrPad(image, 2, 2));
    // 1x2 -> 3x5: one row before and after, one column before and two after (the odd one after)
    var small = new ImageDecoder.Pixels(new ImageDecoder.Shape(1, 2, 1), new byte[] {7, 9});
    byte[] row = {7, 7, 9, 9, 9};
    byte[] expected = new byte[15];
    for (int y = 0; y < 3; y++) System.arraycopy(row, 0, expected, 5 * y, 5);
    assertArrayEquals(expected, ImageDecoder.cropOrPad(small, 3, 5));
  }

  @Test
  void missingAndCorruptFilesSayWhatIsWrong() throws IOException {
    var missing = assertThrows(ImageDecoder.UnreadableImage.class, () -> ImageDecoder.read(dir.resolve("nope.png")));
    assertTrue(missing.getMessage().contains("file not found") && missing.getMessage().contains("nope.png"));
    Path corrupt = dir.resolve("corrupt.png");
    Files.writeString(corrupt, "this is not a png");
    var bad = assertThrows(ImageDecoder.UnreadableImage.class, () -> ImageDecoder.read(corrupt));
    assertTrue(bad.getMessage().contains("corrupt.png"), bad.getMessage());
  }
  @Test
  void aDecompressionBombIsRefusedFromItsHeaderWithoutAllocatingItsPixels() throws Exception {
    Path png = Files.write(dir.resolve("bomb.png"), dev.fidelio.serve.BombImages.png(20000, 20000));
    BufferedImage small = new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR);
    java.io.ByteArrayOutputStream jpegBytes = new java.io.ByteArrayOutputStream();
    ImageIO.write(small, "jpg", jpegBytes);
    byte[] jpeg = jpegBytes.toByteArray();
    for (int i = 0; i + 8 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {  // SOF0: length, precision, height, width
        jpeg[i + 5] = (byte) 0xEA;
        jpeg[i + 6] = 0x60;
        jpeg[i + 7] = (byte) 0xEA;
        jpeg[i + 8] = 0x60;
        break;
      }
    }
    Path jpg = Files.write(dir.resolve("bomb.jpg"), jpeg);
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (Path bomb : new Path[] {png, jpg}) {
      long before = threads.getCurrentThreadAllocatedBytes();
      var refused = assertThrows(ImageDecoder.UnreadableImage.class, () -> ImageDecoder.read(bomb));
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertTrue(refused.getMessage().contains("pixels is more than the limit of " + ImageLimits.DEFAULT_MAX_PIXELS),
          refused.getMessage());
      // 400 megapixels (3.6 gigapixels for the JPEG) would take gigabytes; reading the header takes kilobytes.
      assertTrue(allocated < 8 << 20, bomb.getFileName() + ": allocated " + allocated + " bytes");
    }
  }

  @Test
  void thePixelLimitCanBeLowered() throws Exception {
    Path file = png("twelve.png", new BufferedImage(12, 12, BufferedImage.TYPE_BYTE_GRAY));
    ImageLimits.setMaxPixels(143);
    try {
      var refused = assertThrows(ImageDecoder.UnreadableImage.class, () -> ImageDecoder.read(file));
      assertTrue(refused.getMessage().contains("12x12 pixels is more than the limit of 143"), refused.getMessage());
      ImageLimits.setMaxPixels(144);
      assertEquals(12, ImageDecoder.read(file).shape().width());
    } finally {
      ImageLimits.setMaxPixels(ImageLimits.DEFAULT_MAX_PIXELS);
    }
  }
}
