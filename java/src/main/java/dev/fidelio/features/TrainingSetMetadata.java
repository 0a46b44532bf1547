package dev.fidelio.features;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything fitted on the training split that prediction needs again, keyed by feature name
 * (Ludwig's training_set_metadata.json): text tokenization and encoder shape, category
 * vocabularies, binary labels.
 */
public record TrainingSetMetadata(long randomSeed, Map<String, TextMetadata> text,
                                  Map<String, CategoryVocabulary> category, Map<String, BinaryLabels> binary) {
  /** randomSeed: the seed of the split and initialisation, so evaluate --split test finds the same rows. */
  public static TrainingSetMetadata empty(long randomSeed) {
    return new TrainingSetMetadata(randomSeed, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
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

  private static <T> T require(Map<String, T> map, String feature, String type) {
    T value = map.get(feature);
    if (value == null) {
      throw new FeatureException("the model's training set metadata has no " + type + " feature '" + feature
          + "': the model folder does not match its config");
    }
    return value;
  }
}
