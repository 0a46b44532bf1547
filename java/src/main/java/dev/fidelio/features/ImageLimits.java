package dev.fidelio.features;

/**
 * The largest image (in pixels) decoding accepts, checked against the size in the file's header
 * before any pixel is decoded: a 389 KB PNG can declare 20000x20000 pixels, 1.2 GB once decoded.
 * One limit per process, for training data and served requests alike; {@code fidelio serve
 * --max_image_pixels} sets it.
 */
public final class ImageLimits {
  /** 25 megapixels: a 6000x4000 camera photo fits; decoding one takes about 200 MB at most. */
  public static final long DEFAULT_MAX_PIXELS = 25_000_000L;

  private static volatile long maxPixels = DEFAULT_MAX_PIXELS;

  private ImageLimits() {}

  public static long maxPixels() {
    return maxPixels;
  }

  public static void setMaxPixels(long pixels) {
    if (pixels < 1) throw new IllegalArgumentException("the image pixel limit must be >= 1, not " + pixels);
    maxPixels = pixels;
  }
}
