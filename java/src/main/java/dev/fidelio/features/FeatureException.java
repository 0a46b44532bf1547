package dev.fidelio.features;

/** A feature's data cannot be preprocessed as configured; the message names the feature and the problem. */
public final class FeatureException extends RuntimeException {
  public FeatureException(String message) {
    super(message);
  }
}
