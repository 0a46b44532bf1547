package dev.fidelio.runtime;

/** Every failure of the native library, carrying its status and the native message. */
public final class FidelioException extends RuntimeException {
  private final Status status;

  public FidelioException(Status status, String message) {
    super(message);
    this.status = status;
  }

  public FidelioException(Status status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public Status status() {
    return status;
  }
}
