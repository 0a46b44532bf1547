package dev.fidelio.store;

/** A store entry that cannot be used (missing, truncated, corrupted, incompatible); the message says why. */
public final class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
