package dev.fidelio.config;

import java.io.Serial;
import java.util.List;

/**
 * A config that cannot be used, with every problem found. Validation collects all errors before
 * throwing so that a user fixes their YAML in one pass instead of one error per run.
 */
public final class ConfigException extends RuntimeException {
  @Serial
  private static final long serialVersionUID = 1L;

  // Transient: the message already carries every error for anyone who serializes the exception.
  private final transient List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(format(errors));
    this.errors = List.copyOf(errors);
  }

  public List<ConfigError> errors() {
    return errors;
  }

  private static String format(List<ConfigError> errors) {
    var text = new StringBuilder("Invalid config (" + errors.size()
            + (errors.size() == 1 ? " problem" : " problems") + "):");
    for (ConfigError error : errors) {
      text.append("\n  - ").append(error);
    }
    return text.toString();
  }
}
