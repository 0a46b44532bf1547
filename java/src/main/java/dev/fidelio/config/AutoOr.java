package dev.fidelio.config;

/**
 * A Ludwig value that is either the word {@code auto} (Fidelio decides, e.g. by probing memory)
 * or an explicit value, such as {@code batch_size: auto} or {@code batch_size: 32}.
 */
public sealed interface AutoOr<T> {
  record Auto<T>() implements AutoOr<T> {}

  record Value<T>(T value) implements AutoOr<T> {}

  static <T> AutoOr<T> auto() {
    return new Auto<>();
  }

  static <T> AutoOr<T> of(T value) {
    return new Value<>(value);
  }
}
