package dev.fidelio.features;

/**
 * What an image input needs at predict time, saved with the model: the size every image is
 * brought to (given in the config, or inferred from the training images) and how.
 *
 * @param resizeMethod crop_or_pad or interpolate (Ludwig's names); ignored when resizeSize is set
 * @param imagenet1k standardize with ImageNet's per-channel mean and std after scaling to [0, 1]
 * @param resizeSize 0, or a pretrained torchvision encoder's transforms: the shorter side is resized to
 *     this with interpolation, then the centre height x width (crop_size) square is kept
 * @param interpolation bilinear or bicubic (with resizeSize); null otherwise
 */
public record ImageMetadata(int height, int width, int numChannels, String resizeMethod, boolean imagenet1k,
                            int resizeSize, String interpolation) {
  /** ImageNet-1k statistics, as torchvision's pretrained models expect (RGB order). */
  public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  /** Without a torchvision transform: the config's (or inferred) size and resize_method. */
  public ImageMetadata(int height, int width, int numChannels, String resizeMethod, boolean imagenet1k) {
    this(height, width, numChannels, resizeMethod, imagenet1k, 0, null);
  }

  public int pixelsPerImage() {
    return numChannels * height * width;
  }

  boolean interpolate() {
    return resizeMethod.equals("interpolate");
  }
}
