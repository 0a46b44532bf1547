package dev.fidelio.experiment;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.TextMetadata;
import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.util.Digests;
import dev.fidelio.util.Log;
import dev.fidelio.weights.PretrainedEncoder;
import dev.fidelio.weights.PretrainedLocator;
import dev.fidelio.weights.TextEncoderInfo;
import dev.fidelio.weights.TokenizerJson;
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
  private final Map<String, PretrainedEncoder> pretrained = new LinkedHashMap<>();
  private final Map<String, TextTokenizer> tokenizers = new LinkedHashMap<>();
  private final Map<String, TextMetadata> metadata = new LinkedHashMap<>();

  private TextEncoders() {}

  static TextEncoders load(FidelioConfig config) {
    TextEncoders encoders = new TextEncoders();
    PretrainedLocator locator = PretrainedLocator.fromEnvironment();
    try {
      for (InputFeature input : config.inputFeatures()) {
        if (!(input instanceof TextInputFeature t)) continue;
        String model = t.encoder().pretrainedModelNameOrPath();
        PretrainedEncoder source = locator.load(model);
        source.notes().forEach(n -> Log.info(t.name() + ": " + n));
        try {
          t.encoder().requireModelType(source.config().modelType(), model + " (" + source.source() + ")");
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("input feature " + t.name() + ": " + e.getMessage(), e);
        }
        TextEncoderInfo info;
        try {
          info = TextEncoderModel.describe(source.config());
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("input feature " + t.name() + ": the encoder of " + model + " ("
              + source.source() + ") cannot be built: " + e.getMessage(), e);
        }
        int maxLength = maxSequenceLength(t, info);
        var json = source.tokenizer().orElseThrow(() -> new IllegalArgumentException("the pretrained model "
            + model + " (" + source.source() + ") has no tokenizer.json; Fidelio needs one next to its weights"));
        // The tokenizer's pad id, else config.json's; with neither, 0 (masked out, so its value is moot).
        long padId = json.padTokenId().orElse(info.padTokenId() >= 0 ? info.padTokenId() : 0);
        String tokenizerFile = t.name().replaceAll("[^A-Za-z0-9_.-]", "_") + "_tokenizer.json";
        encoders.metadata.put(t.name(), new TextMetadata(source.source(), source.config(), info, tokenizerFile,
            maxLength, padId, t.preprocessing().fillValue()));
        encoders.tokenizers.put(t.name(), openTokenizer(json, maxLength, padId));
        encoders.pretrained.put(t.name(), source);
      }
      return encoders;
    } catch (RuntimeException e) {
      encoders.close();
      throw e;
    }
  }

  Map<String, PretrainedEncoder> pretrained() {
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
      PretrainedEncoder source = pretrained.get(t.name());
      ObjectNode id = JsonNodeFactory.instance.objectNode();
      try (InputStream in = source.tokenizer().orElseThrow().open()) {
        id.put("tokenizer_sha256", Digests.sha256(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the tokenizer of " + source.source() + ": " + e.getMessage(), e);
      }
      id.put("max_sequence_length", metadata.get(t.name()).maxSequenceLength());
      id.put("pad_token_id", metadata.get(t.name()).padTokenId());
      if (t.preprocessing().cacheEncoderEmbeddings()) {
        ObjectNode encoder = id.putObject("encoder");
        // use_pretrained: false draws the weights from the random seed, which the key holds anyway.
        encoder.put("weights_sha256", t.encoder().usePretrained() ? source.weights().sha256() : "random");
        encoder.put("architecture", source.config().toString());
        encoder.put("reduce_output", config.reduceOutputOf(t).name().toLowerCase());
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

  /**
   * The encoder's own limit (its positions, less RoBERTa's pad offset) caps
   * preprocessing.max_sequence_length (and encoder.max_sequence_length wins).
   */
  private static int maxSequenceLength(TextInputFeature t, TextEncoderInfo info) {
    int requested = t.encoder().maxSequenceLength() != null ? t.encoder().maxSequenceLength()
        : t.preprocessing().maxSequenceLength();
    int limit = (int) Math.min(Integer.MAX_VALUE, info.maxSequenceLength());
    if (requested > limit) {
      Log.warn(t.name() + ": max_sequence_length " + requested + " exceeds the encoder's limit of " + limit
          + " tokens; using " + limit);
    }
    return Math.min(requested, limit);
  }

  private static TextTokenizer openTokenizer(TokenizerJson json, int maxLength, long padId) {
    try (InputStream in = json.open()) {
      return TextTokenizer.load(in, json.location(), maxLength, padId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json.location() + ": " + e.getMessage(), e);
    }
  }
}
