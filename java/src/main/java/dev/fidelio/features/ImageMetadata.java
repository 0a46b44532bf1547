package dev.fidelio.features;

/**
 * What an image input needs at predict time, saved with the model: the size every image is
 * brought to (given in the config, or inferred from the training images) and how.
 *
 * @param resizeMethod crop_or_pad or interpolate (Ludwig's names)
 * @param imagenet1k standardize with ImageNet's per-channel mean and std after scaling to [0, 1]
 */
public record ImageMetadata(int height, int width, int numChannels, String resizeMethod, boolean imagenet1k) {
  /** ImageNet-1k statistics, as torchvision's pretrained ResNets expect (RGB order). */
  public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  public int pixelsPerImage() {
    return numChannels * height * width;
  }

  boolean interpolate() {
    return resizeMethod.equals("interpolate");
  }
}
