package dev.fidelio.api;

import java.io.Serial;
import java.util.List;

/** A config that cannot be used: every problem found, each naming its path, the value and what is allowed. */
public final class InvalidConfigException extends IllegalArgumentException {
  @Serial
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  InvalidConfigException(String message, List<String> problems, Throwable cause) {
    super(message, cause);
    this.problems = List.copyOf(problems);
  }

  /** One line per problem ({@code trainer.epochs: expected an integer >= 1, got -3}). */
  public List<String> problems() {
    return problems;
  }
}
