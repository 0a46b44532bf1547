package dev.fidelio.weights;

/**
 * Any failure to find, read or validate pretrained weights. Unchecked, and always with a message
 * that names the file or model and says what to do, because the user usually has to act on it
 * (fix a path, convert a checkpoint, copy a model folder).
 */
public final class WeightsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WeightsException(String message) {
    super(message);
  }

  public WeightsException(String message, Throwable cause) {
    super(message, cause);
  }
}
