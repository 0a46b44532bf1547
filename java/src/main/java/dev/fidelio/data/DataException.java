package dev.fidelio.data;

/**
 * A dataset that cannot be read or split as configured. The message names the file (or config
 * path), the row or line, what was found and what was expected, so it can go to the user as is.
 */
public final class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
