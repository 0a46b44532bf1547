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

  /** Names Hugging Face tokenizers give their padding token. */
  private static final java.util.Set<String> PAD_TOKENS = java.util.Set.of("<pad>", "[PAD]", "<PAD>");

  /**
   * The tokenizer's own padding id: its padding section's pad_id, else the id of its special pad
   * token ({@code <pad>}, {@code [PAD]}); empty when it has neither (config.json's pad_token_id applies).
   */
  public java.util.OptionalLong padTokenId() {
    com.fasterxml.jackson.databind.JsonNode root;
    try (InputStream in = open()) {
      root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new WeightsException("cannot read " + location + ": " + e.getMessage(), e);
    }
    var padding = root.path("padding");
    if (padding.path("pad_id").isIntegralNumber()) return java.util.OptionalLong.of(padding.get("pad_id").asLong());
    for (var token : root.path("added_tokens")) {
      if (PAD_TOKENS.contains(token.path("content").asText()) && token.path("id").isIntegralNumber()) {
        return java.util.OptionalLong.of(token.get("id").asLong());
      }
    }
    return java.util.OptionalLong.empty();
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
