package dev.fidelio.features;

/** A feature's data cannot be preprocessed as configured; the message names the feature and the problem. */
public final class FeatureException extends RuntimeException {
  private final String feature;

  public FeatureException(String message) {
    this(null, message);
  }

  public FeatureException(String feature, String message) {
    super(message);
    this.feature = feature;
  }

  /** The feature at fault where the thrower knows it (a server names it in its answer), else null. */
  public String feature() {
    return feature;
  }
}
