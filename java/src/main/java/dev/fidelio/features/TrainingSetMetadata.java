package dev.fidelio.features;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything fitted on the training split that prediction needs again, keyed by feature name
 * (Ludwig's training_set_metadata.json): text tokenization and encoder shape, category
 * vocabularies and binary labels (of inputs and outputs), number statistics, the value each
 * tabular input's missing cells get (fill_with_const/mode/mean resolved on the training split),
 * image sizes, and the temperature of each output with {@code calibration: true} (fitted after
 * training, on the validation split).
 */
public record TrainingSetMetadata(long randomSeed, Map<String, TextMetadata> text,
                                  Map<String, CategoryVocabulary> category, Map<String, BinaryLabels> binary,
                                  Map<String, NumberStats> number, Map<String, String> fill,
                                  Map<String, ImageMetadata> image, Map<String, Double> temperature) {
  public TrainingSetMetadata {
    // Files written before number or image features existed lack these maps.
    number = number == null ? new LinkedHashMap<>() : number;
    fill = fill == null ? new LinkedHashMap<>() : fill;
    image = image == null ? new LinkedHashMap<>() : image;
    temperature = temperature == null ? new LinkedHashMap<>() : temperature;
  }

  /** randomSeed: the seed of the split and initialisation, so evaluate --split test finds the same rows. */
  public static TrainingSetMetadata empty(long randomSeed) {
    return new TrainingSetMetadata(randomSeed, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(),
        new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
  }

  public NumberStats number(String feature) {
    return require(number, feature, "number");
  }

  public TextMetadata text(String feature) {
    return require(text, feature, "text");
  }

  public CategoryVocabulary category(String feature) {
    return require(category, feature, "category");
  }

  public BinaryLabels binary(String feature) {
    return require(binary, feature, "binary");
  }

  public ImageMetadata image(String feature) {
    return require(image, feature, "image");
  }

  private static <T> T require(Map<String, T> map, String feature, String type) {
    T value = map.get(feature);
    if (value == null) {
      throw new FeatureException("the model's training set metadata has no " + type + " feature '" + feature
          + "': the model folder does not match its config");
    }
    return value;
  }
}
