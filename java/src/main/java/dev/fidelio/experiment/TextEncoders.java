package dev.fidelio.experiment;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.TextMetadata;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.util.Digests;
import dev.fidelio.util.Log;
import dev.fidelio.weights.PretrainedBert;
import dev.fidelio.weights.PretrainedLocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each text input's pretrained encoder, tokenizer and text metadata, found once per run; and
 * what the preprocessed store key needs to know about them ({@link #identities}).
 */
final class TextEncoders implements AutoCloseable {
  private final Map<String, PretrainedBert> pretrained = new LinkedHashMap<>();
  private final Map<String, TextTokenizer> tokenizers = new LinkedHashMap<>();
  private final Map<String, TextMetadata> metadata = new LinkedHashMap<>();

  private TextEncoders() {}

  static TextEncoders load(FidelioConfig config) {
    TextEncoders encoders = new TextEncoders();
    PretrainedLocator locator = PretrainedLocator.fromEnvironment();
    try {
      for (InputFeature input : config.inputFeatures()) {
        if (!(input instanceof TextInputFeature t)) continue;
        PretrainedBert source = locator.load(t.encoder().pretrainedModelNameOrPath());
        source.notes().forEach(n -> Log.info(t.name() + ": " + n));
        int maxLength = maxSequenceLength(t, source);
        String tokenizerFile = t.name().replaceAll("[^A-Za-z0-9_.-]", "_") + "_tokenizer.json";
        encoders.metadata.put(t.name(), new TextMetadata(source.source(), source.config(), tokenizerFile, maxLength,
            t.preprocessing().fillValue()));
        encoders.tokenizers.put(t.name(), openTokenizer(source, maxLength));
        encoders.pretrained.put(t.name(), source);
      }
      return encoders;
    } catch (RuntimeException e) {
      encoders.close();
      throw e;
    }
  }

  Map<String, PretrainedBert> pretrained() {
    return pretrained;
  }

  Map<String, TextTokenizer> tokenizers() {
    return tokenizers;
  }

  Map<String, TextMetadata> metadata() {
    return metadata;
  }

  /**
   * Per text feature, what its stored column depends on beyond the config: the tokenizer's bytes
   * and the resolved max length (the encoder's limit may cap the configured one); when its
   * encoder outputs are cached, also the encoder's weights, architecture and reduce_output.
   */
  Map<String, ObjectNode> identities(FidelioConfig config) {
    Map<String, ObjectNode> identities = new LinkedHashMap<>();
    for (InputFeature input : config.inputFeatures()) {
      if (!(input instanceof TextInputFeature t)) continue;
      PretrainedBert source = pretrained.get(t.name());
      ObjectNode id = JsonNodeFactory.instance.objectNode();
      try (InputStream in = source.tokenizer().orElseThrow().open()) {
        id.put("tokenizer_sha256", Digests.sha256(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the tokenizer of " + source.source() + ": " + e.getMessage(), e);
      }
      id.put("max_sequence_length", metadata.get(t.name()).maxSequenceLength());
      id.put("pad_token_id", source.config().padTokenId());
      if (t.preprocessing().cacheEncoderEmbeddings()) {
        ObjectNode encoder = id.putObject("encoder");
        // use_pretrained: false draws the weights from the random seed, which the key holds anyway.
        encoder.put("weights_sha256", t.encoder().usePretrained() ? source.weights().sha256() : "random");
        encoder.put("architecture", source.config().toString());
        encoder.put("reduce_output", t.encoder().reduceOutput().name().toLowerCase());
      }
      identities.put(t.name(), id);
    }
    return identities;
  }

  /** Copies each tokenizer.json into the model folder under the name its metadata gives. */
  void copyTokenizers(Path modelFolder) {
    for (var entry : pretrained.entrySet()) {
      Path target = modelFolder.resolve(metadata.get(entry.getKey()).tokenizerFile());
      try (InputStream in = entry.getValue().tokenizer().orElseThrow().open()) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy the tokenizer to " + target + ": " + e.getMessage(), e);
      }
    }
  }

  /** The weights now live in the native model: let the Java copies go. */
  void releaseWeights() {
    pretrained.clear();
  }

  @Override
  public void close() {
    tokenizers.values().forEach(TextTokenizer::close);
  }

  /** The encoder's own limit caps preprocessing.max_sequence_length (and encoder.max_sequence_length wins). */
  private static int maxSequenceLength(TextInputFeature t, PretrainedBert source) {
    int requested = t.encoder().maxSequenceLength() != null ? t.encoder().maxSequenceLength()
        : t.preprocessing().maxSequenceLength();
    int limit = source.config().maxPositionEmbeddings();
    if (requested > limit) {
      Log.warn(t.name() + ": max_sequence_length " + requested + " exceeds the encoder's " + limit + " positions; using "
          + limit);
    }
    return Math.min(requested, limit);
  }

  private static TextTokenizer openTokenizer(PretrainedBert source, int maxLength) {
    var json = source.tokenizer().orElseThrow(() -> new IllegalArgumentException("the pretrained model "
        + source.requested() + " (" + source.source() + ") has no tokenizer.json; Fidelio needs one next to its weights"));
    try (InputStream in = json.open()) {
      return TextTokenizer.load(in, json.location(), maxLength, source.config().padTokenId());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json.location() + ": " + e.getMessage(), e);
    }
  }
}
