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
  private static final AtomicLong ENCODED_CHARACTERS = new AtomicLong();

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

  /**
   * Characters of a text tokenized at first, per token of max_sequence_length: WordPiece and BPE
   * tokens are rarely longer, so the head nearly always yields the whole truncated sequence.
   */
  static final int CHARS_PER_TOKEN = 16;
  /** Characters never looked past, per token: only a text of long whitespace runs or huge words gets near it. */
  static final int MAX_CHARS_PER_TOKEN = 1024;

  /**
   * Token ids of each text, truncated to max_sequence_length; null becomes the empty string. The
   * work is bounded by the length, not the text: a text is tokenized from a head cut at whitespace
   * (where no token spans the cut) of max_sequence_length x 16 characters; only when that head
   * yields fewer tokens than fit and more text follows is a doubled head tried, up to x 1024.
   * Tokenizing a 9 MB text whole took 16 s of CPU.
   */
  public long[][] encode(List<String> texts) {
    long[][] ids = new long[texts.size()][];
    String[] inputs = texts.stream().map(t -> t == null ? "" : t).toArray(String[]::new);
    int window = maxSequenceLength * CHARS_PER_TOKEN;
    String[] heads = new String[inputs.length];
    for (int i = 0; i < inputs.length; i++) heads[i] = head(inputs[i], window);
    Encoding[] encodings = tokenizer.batchEncode(heads);
    for (int i = 0; i < inputs.length; i++) {
      ids[i] = encodings[i].getIds();
      String head = heads[i];
      for (int w = window * 2; ids[i].length < maxSequenceLength && head.length() < inputs[i].length()
          && w <= maxSequenceLength * MAX_CHARS_PER_TOKEN; w *= 2) {
        head = head(inputs[i], w);
        ids[i] = tokenizer.encode(head).getIds();
        ENCODED_CHARACTERS.addAndGet(head.length());
      }
    }
    for (String head : heads) ENCODED_CHARACTERS.addAndGet(head.length());
    ENCODED_TEXTS.addAndGet(inputs.length);
    return ids;
  }

  /** The text up to about limit characters, cut before a whitespace run (or at limit, whole code points). */
  static String head(String text, int limit) {
    if (text.length() <= limit) return text;
    int cut = limit;
    while (cut > limit / 2 && !Character.isWhitespace(text.charAt(cut))) cut--;
    // No whitespace in the second half: cut inside a word of > limit / 2 characters, which a tokenizer
    // gives [UNK] or more pieces than fit either way.
    if (cut == limit / 2) cut = limit;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) cut--;
    return text.substring(0, cut);
  }

  /** Characters handed to the tokenizer so far in this process (the bound on its work). */
  public static long encodedCharacters() {
    return ENCODED_CHARACTERS.get();
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
