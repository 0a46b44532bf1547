package dev.fidelio.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Hugging Face tokenizer (tokenizer.json, run by the tokenizers Rust library through DJL's
 * JNI binding): special tokens added, truncated by the tokenizer itself to maxSequenceLength (so
 * [SEP] stays last), no padding here: batches pad to their own longest sequence later.
 * Lowercasing and accent stripping are the tokenizer's normaliser's business, as in Hugging Face.
 * Thread-safe: the Rust tokenizer is immutable after loading.
 */
public final class TextTokenizer implements AutoCloseable {
  static {
    // DJL reports usage to a cloud endpoint unless told it is offline; Fidelio makes no network
    // calls it was not asked for. Must be set before any DJL class initialises.
    System.setProperty("ai.djl.offline", "true");
  }

  /** Texts tokenized by every tokenizer of this process: a reused preprocessed store tokenizes none. */
  private static final AtomicLong ENCODED_TEXTS = new AtomicLong();

  private final HuggingFaceTokenizer tokenizer;
  private final int maxSequenceLength;
  private final long padTokenId;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxSequenceLength, long padTokenId) {
    this.tokenizer = tokenizer;
    this.maxSequenceLength = maxSequenceLength;
    this.padTokenId = padTokenId;
  }

  /** Loads tokenizer.json from in; location names it in errors. */
  public static TextTokenizer load(InputStream in, String location, int maxSequenceLength, long padTokenId) {
    if (maxSequenceLength < 2) {
      throw new IllegalArgumentException("max_sequence_length must be >= 2 (room for [CLS] and [SEP]), got "
          + maxSequenceLength);
    }
    Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "true", "padding", "false",
        "maxLength", Integer.toString(maxSequenceLength));
    try {
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(in, options), maxSequenceLength, padTokenId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the tokenizer " + location + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot load the tokenizer " + location + " (is it a Hugging Face"
          + " tokenizer.json?): " + e.getMessage(), e);
    }
  }

  /** Token ids of each text; null becomes the empty string. */
  public long[][] encode(List<String> texts) {
    String[] inputs = texts.stream().map(t -> t == null ? "" : t).toArray(String[]::new);
    Encoding[] encodings = tokenizer.batchEncode(inputs);
    ENCODED_TEXTS.addAndGet(inputs.length);
    long[][] ids = new long[encodings.length][];
    for (int i = 0; i < encodings.length; i++) ids[i] = encodings[i].getIds();
    return ids;
  }

  /** Texts tokenized so far in this process, by any tokenizer. */
  public static long encodedTexts() {
    return ENCODED_TEXTS.get();
  }

  public int maxSequenceLength() {
    return maxSequenceLength;
  }

  public long padTokenId() {
    return padTokenId;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
