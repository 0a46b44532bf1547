package dev.fidelio.config;

/** One problem in a config: where it is ({@code input_features[0].encoder.trainable}) and what is wrong. */
public record ConfigError(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
