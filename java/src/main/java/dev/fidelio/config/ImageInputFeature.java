package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A column of image paths, encoded by one of torchvision's image models (Ludwig 0.10's torchvision encoders). */
public record ImageInputFeature(String name, String column, TorchvisionEncoder encoder, Preprocessing preprocessing)
        implements InputFeature {

  /**
   * @param height null infers it from the first images (infer_image_dimensions)
   * @param numChannels null infers it from the first images (1 gray, 3 RGB, 4 RGBA)
   * @param resizeMethod interpolate by default, as in Ludwig's schema (its docs say crop_or_pad)
   * @param inferImageNumChannels with no num_channels: true takes the sample's majority, false the
   *     first readable image's channel count
   * @param standardizeImage null keeps pixels in [0, 1]; imagenet1k applies ImageNet mean/std
   * @param missingValueStrategy for empty cells; drop_row also drops rows whose image cannot be read
   * @param cacheEncoderEmbeddings run the frozen encoder once during preprocessing (beyond Ludwig,
   *     which caches text encoders only)
   */
  public record Preprocessing(Integer height, Integer width, Integer numChannels, ResizeMethod resizeMethod,
                              StandardizeImage standardizeImage, MissingValueStrategy missingValueStrategy,
                              boolean inferImageNumChannels, boolean inferImageDimensions, int inferImageMaxHeight,
                              int inferImageMaxWidth, int inferImageSampleSize, boolean cacheEncoderEmbeddings)
          implements Yaml.Rendered {

    public enum ResizeMethod implements ConfigEnum { CROP_OR_PAD, INTERPOLATE }

    public enum StandardizeImage implements ConfigEnum { IMAGENET1K }

    static final List<MissingValueStrategy> STRATEGIES = List.of(MissingValueStrategy.BFILL,
            MissingValueStrategy.FFILL, MissingValueStrategy.DROP_ROW);

    static Preprocessing read(ConfigNode node) {
      var preprocessing = new Preprocessing(
              node.optionalInteger("height", null, 1, Integer.MAX_VALUE),
              node.optionalInteger("width", null, 1, Integer.MAX_VALUE),
              node.optionalInteger("num_channels", null, 1, 4),
              node.choice("resize_method", ResizeMethod.class, ResizeMethod.INTERPOLATE),
              node.choice("standardize_image", StandardizeImage.class, null),
              node.choice("missing_value_strategy", STRATEGIES, MissingValueStrategy.BFILL),
              node.bool("infer_image_num_channels", true),
              node.bool("infer_image_dimensions", true),
              node.integer("infer_image_max_height", 256, 1, Integer.MAX_VALUE),
              node.integer("infer_image_max_width", 256, 1, Integer.MAX_VALUE),
              node.integer("infer_image_sample_size", 100, 1, Integer.MAX_VALUE),
              node.bool("cache_encoder_embeddings", false));
      if ((preprocessing.height() == null) != (preprocessing.width() == null)) {
        node.error(preprocessing.height() == null ? "height" : "width", "height and width go together: give"
                + " both, or neither to infer them from the images");
      }
      if (preprocessing.height() == null && !preprocessing.inferImageDimensions()) {
        node.error("height", "no height/width given and infer_image_dimensions is false: give both");
      }
      if (preprocessing.standardizeImage() != null && preprocessing.numChannels() != null
              && preprocessing.numChannels() != 3) {
        node.error("standardize_image", "imagenet1k standardizes 3 (RGB) channels, but num_channels is "
                + preprocessing.numChannels());
      }
      node.rejectUnknownKeys();
      return preprocessing;
    }

    @Override
    public JsonNode toYamlNode() {
      return Yaml.map("height", height, "width", width, "num_channels", numChannels,
              "resize_method", resizeMethod, "standardize_image", standardizeImage,
              "missing_value_strategy", missingValueStrategy, "infer_image_num_channels", inferImageNumChannels,
              "infer_image_dimensions", inferImageDimensions,
              "infer_image_max_height", inferImageMaxHeight, "infer_image_max_width", inferImageMaxWidth,
              "infer_image_sample_size", inferImageSampleSize, "cache_encoder_embeddings", cacheEncoderEmbeddings);
    }
  }

  static ImageInputFeature read(ConfigNode node, String name, String column) {
    // Ludwig's default image encoder (stacked_cnn) is not implemented, so the type must be explicit.
    ConfigNode encoderNode = node.section("encoder");
    if (!encoderNode.has("type")) {
      node.error("encoder", "image features need an explicit encoder; Ludwig's default stacked_cnn is not "
              + "supported yet: set encoder: {type: resnet}");
    }
    TorchvisionEncoder encoder = TorchvisionEncoder.read(encoderNode);
    ConfigNode preprocessingNode = node.section("preprocessing");
    Preprocessing preprocessing = Preprocessing.read(preprocessingNode);
    // Cached embeddings are computed once; a trainable encoder would change them every step.
    if (encoder != null && encoder.trainable() && preprocessing.cacheEncoderEmbeddings()) {
      preprocessingNode.error("cache_encoder_embeddings", "is true but encoder.trainable is also true; "
              + "caching needs a frozen encoder: set encoder.trainable: false or cache_encoder_embeddings: false");
    }
    return new ImageInputFeature(name, column, encoder, preprocessing);
  }

  @Override
  public JsonNode toYamlNode() {
    return Yaml.map("name", name, "type", "image", "column", column, "encoder", encoder,
            "preprocessing", preprocessing);
  }
}
