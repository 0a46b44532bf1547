package dev.fidelio.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A column of image paths, encoded by a torchvision ResNet. */
public record ImageInputFeature(String name, String column, ResNetEncoder encoder, Preprocessing preprocessing)
        implements InputFeature {

    /**
     * @param height null infers it from the first images
     * @param standardizeImage null keeps pixels in [0, 1]; imagenet1k applies ImageNet mean/std
     */
    public record Preprocessing(Integer height, Integer width, Integer numChannels, ResizeMethod resizeMethod,
                                StandardizeImage standardizeImage, MissingValueStrategy missingValueStrategy)
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
                    node.choice("resize_method", ResizeMethod.class, ResizeMethod.CROP_OR_PAD),
                    node.choice("standardize_image", StandardizeImage.class, null),
                    node.choice("missing_value_strategy", STRATEGIES, MissingValueStrategy.BFILL));
            node.rejectUnknownKeys();
            return preprocessing;
        }

        @Override
        public JsonNode toYamlNode() {
            return Yaml.map("height", height, "width", width, "num_channels", numChannels,
                    "resize_method", resizeMethod, "standardize_image", standardizeImage,
                    "missing_value_strategy", missingValueStrategy);
        }
    }

    static ImageInputFeature read(ConfigNode node, String name, String column) {
        // Ludwig's default image encoder (stacked_cnn) is not implemented, so the type must be explicit.
        ConfigNode encoderNode = node.section("encoder");
        if (!encoderNode.has("type")) {
            node.error("encoder", "image features need an explicit encoder; Ludwig's default stacked_cnn is not "
                    + "supported yet: set encoder: {type: resnet}");
        }
        return new ImageInputFeature(name, column, ResNetEncoder.read(encoderNode),
                Preprocessing.read(node.section("preprocessing")));
    }

    @Override
    public JsonNode toYamlNode() {
        return Yaml.map("name", name, "type", "image", "column", column, "encoder", encoder,
                "preprocessing", preprocessing);
    }
}
