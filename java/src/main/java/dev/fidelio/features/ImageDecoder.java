package dev.fidelio.features;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads one PNG or JPEG file (javax.imageio) into 8-bit CHW pixels of the requested channel count
 * and size, as Ludwig's image preprocessing does with torchvision: gray to RGB by replication, RGB
 * to gray by ITU-R 601-2 luma (PIL's "L"), {@code interpolate} = bilinear resize with half-pixel
 * centres and no antialiasing (torchvision's tensor resize), rounded half to even;
 * {@code crop_or_pad} = centre crop or edge padding. With a pretrained torchvision encoder, the
 * weights' own transforms instead: the shorter side resized to resize_size (bilinear or bicubic, the
 * same tensor resize), then the centre crop_size square.
 */
final class ImageDecoder {
  private ImageDecoder() {}

  /** Thrown for a missing, unreadable or undecodable file; the message names the problem, not the row. */
  static final class UnreadableImage extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableImage(String message) {
      super(message);
    }
  }

  /** An image's own size and channel count (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
  record Shape(int height, int width, int channels) {}

  /** Pixels [channels][height][width] of the image as stored, 0..255. */
  record Pixels(Shape shape, byte[] chw) {}

  /**
   * Decodes file after checking the width and height its header declares against
   * {@link ImageLimits#maxPixels}: a decompression bomb is refused before its pixels are allocated.
   */
  static Pixels read(Path file) throws UnreadableImage {
    if (!Files.isRegularFile(file)) throw new UnreadableImage("file not found: " + file);
    BufferedImage image;
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new UnreadableImage("not a PNG or JPEG image (no decoder accepts it): " + file);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long width = reader.getWidth(0), height = reader.getHeight(0);
        long limit = ImageLimits.maxPixels();
        if (width * height > limit) {
          throw new UnreadableImage(width + "x" + height + " pixels is more than the limit of " + limit
              + " pixels (a decompression bomb, or a photo to shrink first): " + file);
        }
        image = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new UnreadableImage("cannot decode " + file + ": " + e.getMessage());
    }
    return pixels(image);
  }

  /** Reads file and brings it to target's channels and size. */
  static byte[] load(Path file, ImageMetadata target) throws UnreadableImage {
    Pixels source = read(file);
    Pixels converted = toChannels(source, target.numChannels());
    if (target.resizeSize() > 0) return cropOrPad(resizeShorterSide(converted, target), target.height(), target.width());
    return target.interpolate() ? bilinear(converted, target.height(), target.width())
        : cropOrPad(converted, target.height(), target.width());
  }

  /**
   * torchvision's F.resize(img, [resize_size]) on a uint8 tensor: the shorter side becomes
   * resize_size, the longer int(resize_size * long / short), no antialiasing.
   */
  static Pixels resizeShorterSide(Pixels source, ImageMetadata target) {
    Shape s = source.shape();
    int shorter = Math.min(s.height(), s.width()), longer = Math.max(s.height(), s.width());
    int newShort = target.resizeSize(), newLong = (int) ((double) newShort * longer / shorter);
    int h = s.height() <= s.width() ? newShort : newLong, w = s.height() <= s.width() ? newLong : newShort;
    byte[] out = target.interpolation().equals("bicubic") ? bicubic(source, h, w) : bilinear(source, h, w);
    return new Pixels(new Shape(h, w, s.channels()), out);
  }

  /**
   * Bicubic resize as PyTorch's upsample_bicubic2d (align_corners=False, A = -0.75, source index
   * scale * (dst + 0.5) - 0.5 unclamped, neighbours clamped to the border), in float32 with the width
   * pass inside the height pass, then clamped to [0, 255] and rounded half to even, as torchvision's
   * tensor resize does for uint8 images.
   */
  static byte[] bicubic(Pixels source, int height, int width) {
    Shape s = source.shape();
    if (s.height() == height && s.width() == width) return source.chw();
    int[] iy = new int[height], ix = new int[width];
    float[][] cy = new float[height][], cx = new float[width][];
    cubicWeights(s.height(), height, iy, cy);
    cubicWeights(s.width(), width, ix, cx);
    byte[] in = source.chw();
    byte[] out = new byte[s.channels() * height * width];
    for (int c = 0; c < s.channels(); c++) {
      int base = c * s.height() * s.width();
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float sum = 0f;
          for (int j = 0; j < 4; j++) {
            int row = base + Math.clamp(iy[y] - 1 + j, 0, s.height() - 1) * s.width();
            float line = 0f;
            for (int i = 0; i < 4; i++) {
              line += (in[row + Math.clamp(ix[x] - 1 + i, 0, s.width() - 1)] & 0xFF) * cx[x][i];
            }
            sum += line * cy[y][j];
          }
          out[(c * height + y) * width + x] = (byte) (int) Math.rint(Math.min(255f, Math.max(0f, sum)));
        }
      }
    }
    return out;
  }

  /** PyTorch's cubic convolution coefficients (A = -0.75) and the floor source index along one axis. */
  private static void cubicWeights(int inSize, int outSize, int[] index, float[][] coefficients) {
    final float a = -0.75f;
    float scale = (float) inSize / outSize;
    for (int d = 0; d < outSize; d++) {
      float src = Math.fma(scale, d + 0.5f, -0.5f);
      index[d] = (int) Math.floor(src);
      float t = src - index[d];
      float x1 = t + 1f, x2 = 1f - t, x3 = 2f - t;
      coefficients[d] = new float[] {
          ((a * x1 - 5f * a) * x1 + 8f * a) * x1 - 4f * a,
          ((a + 2f) * t - (a + 3f)) * t * t + 1f,
          ((a + 2f) * x2 - (a + 3f)) * x2 * x2 + 1f,
          ((a * x3 - 5f * a) * x3 + 8f * a) * x3 - 4f * a};
    }
  }

  private static Pixels pixels(BufferedImage image) {
    int h = image.getHeight(), w = image.getWidth();
    int components = image.getColorModel().getNumColorComponents();
    boolean alpha = image.getColorModel().hasAlpha();
    Raster raster = image.getRaster();
    if (components == 1 && raster.getNumBands() == (alpha ? 2 : 1)) {
      // Gray: the raster's samples themselves (getRGB would apply a linear-to-sRGB conversion).
      int bits = image.getColorModel().getComponentSize(0);
      int channels = alpha ? 2 : 1;
      byte[] out = new byte[channels * h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int c = 0; c < channels; c++) {
            int v = raster.getSample(x, y, c);
            out[(c * h + y) * w + x] = (byte) (bits > 8 ? v >> (bits - 8) : bits < 8 ? v * 255 / ((1 << bits) - 1) : v);
          }
        }
      }
      return new Pixels(new Shape(h, w, channels), out);
    }
    int channels = alpha ? 4 : 3;
    byte[] out = new byte[channels * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = image.getRGB(x, y);
        out[y * w + x] = (byte) (argb >> 16);
        out[(h + y) * w + x] = (byte) (argb >> 8);
        out[(2 * h + y) * w + x] = (byte) argb;
        if (alpha) out[(3 * h + y) * w + x] = (byte) (argb >>> 24);
      }
    }
    return new Pixels(new Shape(h, w, channels), out);
  }

  static Pixels toChannels(Pixels source, int channels) {
    int from = source.shape().channels();
    if (from == channels) return source;
    int h = source.shape().height(), w = source.shape().width(), plane = h * w;
    byte[] in = source.chw();
    byte[] out = new byte[channels * plane];
    boolean grayIn = from <= 2;
    for (int i = 0; i < plane; i++) {
      int r = in[i] & 0xFF;
      int g = grayIn ? r : in[plane + i] & 0xFF;
      int b = grayIn ? r : in[2 * plane + i] & 0xFF;
      int a = from == 2 ? in[plane + i] & 0xFF : from == 4 ? in[3 * plane + i] & 0xFF : 255;
      int luma = grayIn ? r : (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;  // PIL's fixed-point L
      switch (channels) {
        case 1 -> out[i] = (byte) luma;
        case 2 -> {
          out[i] = (byte) luma;
          out[plane + i] = (byte) a;
        }
        default -> {
          out[i] = (byte) r;
          out[plane + i] = (byte) g;
          out[2 * plane + i] = (byte) b;
          if (channels == 4) out[3 * plane + i] = (byte) a;
        }
      }
    }
    return new Pixels(new Shape(h, w, channels), out);
  }

  /**
   * Bilinear resize, align_corners=False, no antialiasing, computed in float32 in PyTorch's order
   * (source index scale * (dst + 0.5) - 0.5 clamped at 0; rows interpolated along the width first;
   * multiply-adds fused as the compiler fuses them in LibTorch's AVX2/AVX-512 kernels), then rounded
   * half to even like torch.round: exact ties are frequent when downsampling, so the float order
   * decides them.
   */
  static byte[] bilinear(Pixels source, int height, int width) {
    Shape s = source.shape();
    if (s.height() == height && s.width() == width) return source.chw();
    int[] y0 = new int[height], y1 = new int[height], x0 = new int[width], x1 = new int[width];
    float[] wy = new float[height], wx = new float[width];
    weights(s.height(), height, y0, y1, wy);
    weights(s.width(), width, x0, x1, wx);
    byte[] in = source.chw();
    byte[] out = new byte[s.channels() * height * width];
    for (int c = 0; c < s.channels(); c++) {
      int base = c * s.height() * s.width();
      for (int y = 0; y < height; y++) {
        int top = base + y0[y] * s.width(), bottom = base + y1[y] * s.width();
        for (int x = 0; x < width; x++) {
          float t0 = Math.fma(in[top + x1[x]] & 0xFF, wx[x], (in[top + x0[x]] & 0xFF) * (1f - wx[x]));
          float t1 = Math.fma(in[bottom + x1[x]] & 0xFF, wx[x], (in[bottom + x0[x]] & 0xFF) * (1f - wx[x]));
          float v = (float) Math.rint(Math.fma(t1, wy[y], t0 * (1f - wy[y])));
          out[(c * height + y) * width + x] = (byte) Math.max(0, Math.min(255, (int) v));
        }
      }
    }
    return out;
  }

  /** PyTorch's linear source indices and weights (of the second index) along one axis. */
  private static void weights(int inSize, int outSize, int[] i0, int[] i1, float[] lambda) {
    float scale = (float) inSize / outSize;
    for (int d = 0; d < outSize; d++) {
      float src = Math.max(0f, Math.fma(scale, d + 0.5f, -0.5f));
      i0[d] = Math.min((int) src, inSize - 1);
      i1[d] = i0[d] + (i0[d] < inSize - 1 ? 1 : 0);
      lambda[d] = Math.min(Math.max(src - i0[d], 0f), 1f);
    }
  }

  /**
   * Centre crop (torchvision's offsets: round((old - new) / 2)) or edge padding (the border pixel
   * repeated; the odd extra pixel after), as Ludwig's crop_or_pad does.
   */
  static byte[] cropOrPad(Pixels source, int height, int width) {
    Shape s = source.shape();
    byte[] in = source.chw();
    byte[] out = new byte[s.channels() * height * width];
    int offsetY = offset(s.height(), height), offsetX = offset(s.width(), width);
    for (int c = 0; c < s.channels(); c++) {
      for (int y = 0; y < height; y++) {
        int sy = Math.clamp(y + offsetY, 0, s.height() - 1);
        for (int x = 0; x < width; x++) {
          int sx = Math.clamp(x + offsetX, 0, s.width() - 1);
          out[(c * height + y) * width + x] = in[(c * s.height() + sy) * s.width() + sx];
        }
      }
    }
    return out;
  }

  /** Source index of target pixel 0: positive when cropping, negative (the padding before) when padding. */
  private static int offset(int from, int to) {
    if (from >= to) return (int) Math.rint((from - to) / 2.0);
    return -((to - from) / 2);
  }
}
