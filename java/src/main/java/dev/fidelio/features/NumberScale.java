package dev.fidelio.features;

import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.config.NumberPreprocessing.Normalization;

/**
 * How a number output's values map between the user's units and the scale the model learns
 * (its preprocessing normalization, fitted on the training split). Targets go to the model scale
 * before training; predictions come back to the user's units.
 *
 * @param normalization null: both scales are the same
 */
public record NumberScale(NumberStats stats, Normalization normalization) {
  public static final NumberScale IDENTITY = new NumberScale(null, null);

  public static NumberScale of(NumberOutputFeature feature, TrainingSetMetadata metadata) {
    Normalization normalization = feature.preprocessing().normalization();
    return normalization == null ? IDENTITY : new NumberScale(metadata.number(feature.name()), normalization);
  }

  public double toModel(double value) {
    return normalization == null ? value : stats.normalize(value, normalization);
  }

  public double toUser(double value) {
    return normalization == null ? value : stats.denormalize(value, normalization);
  }
}
