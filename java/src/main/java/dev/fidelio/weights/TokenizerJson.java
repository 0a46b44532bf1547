package dev.fidelio.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model's HF {@code tokenizer.json} lives. A file gives a {@link #path()}; a class-path
 * resource (the bundled model) only a stream, which DJL's HuggingFaceTokenizer also accepts.
 */
public record TokenizerJson(String location, Optional<Path> path, Opener opener) {

  @FunctionalInterface
  public interface Opener {
    InputStream open() throws IOException;
  }

  /** A fresh stream over the JSON; the caller closes it. */
  public InputStream open() throws IOException {
    return opener.open();
  }

  public static TokenizerJson ofFile(Path file) {
    return new TokenizerJson(file.toString(), Optional.of(file), () -> Files.newInputStream(file));
  }

  public static TokenizerJson ofResource(String resource, ClassLoader loader) {
    return new TokenizerJson("class-path resource " + resource, Optional.empty(), () -> {
      InputStream in = loader.getResourceAsStream(resource);
      if (in == null) throw new IOException("class-path resource " + resource + " is missing");
      return in;
    });
  }
}
