package dev.fidelio.api;

/**
 * A row given to {@link FidelioModel#predict} cannot be used: a missing input feature, a value of
 * the wrong type, a value preprocessing rejects. The message names the feature and the row; the
 * REST API answers it with 400.
 */
public final class InvalidInputException extends IllegalArgumentException {
  private final String feature;

  /** feature: the input feature at fault, or null; message: what is wrong, naming the row. */
  public InvalidInputException(String feature, String message) {
    super(message);
    this.feature = feature;
  }

  /** The input feature at fault; null when the problem is not one feature's. */
  public String feature() {
    return feature;
  }
}
