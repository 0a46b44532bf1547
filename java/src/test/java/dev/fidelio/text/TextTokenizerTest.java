package dev.fidelio.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.weights.OnnxBertWeights;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The all-MiniLM-L6-v2 tokenizer (BERT uncased WordPiece) on sentences whose ids are known. */
class TextTokenizerTest {
  static TextTokenizer tokenizer;

  @BeforeAll
  static void load() throws Exception {
    try (var in = TextTokenizerTest.class.getClassLoader().getResourceAsStream(OnnxBertWeights.BUNDLED_TOKENIZER_RESOURCE)) {
      tokenizer = TextTokenizer.load(in, "bundled all-MiniLM-L6-v2", 8, 0);
    }
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void knownIdsOfBertUncasedWordPiece() {
    long[][] ids = tokenizer.encode(Arrays.asList("Hello, world!", "", null));
    assertArrayEquals(new long[] {101, 7592, 1010, 2088, 999, 102}, ids[0]);
    assertArrayEquals(new long[] {101, 102}, ids[1]); // empty text: just [CLS] [SEP]
    assertArrayEquals(new long[] {101, 102}, ids[2]); // null is the empty string
  }

  @Test
  void truncationKeepsSepLast() {
    long[] ids = tokenizer.encode(List.of("one two three four five six seven eight nine ten"))[0];
    assertEquals(8, ids.length);
    assertEquals(101, ids[0]);
    assertEquals(102, ids[7]);
  }

  @Test
  void paddingToTheLongestInTheBatch() {
    long[][] ids = {{101, 7592, 102}, {101, 102}, {101, 1, 2, 3, 102}};
    TokenBatch batch = TokenBatch.pad(ids, new int[] {0, 1}, 0);
    assertEquals(3, batch.length());
    assertArrayEquals(new long[] {101, 7592, 102, 101, 102, 0}, batch.inputIds());
    assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0}, batch.attentionMask());
  }

  @Test
  void unicodeAndEmojiDoNotCrash() {
    long[] ids = tokenizer.encode(List.of("Café 🎉 naïve ünïcödé"))[0];
    assertEquals(101, ids[0]);
    assertEquals("true", System.getProperty("ai.djl.offline"));
  }

  @Test
  void notATokenizerIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(
        new ByteArrayInputStream("{\"nope\": 1}".getBytes(StandardCharsets.UTF_8)), "broken.json", 16, 0));
    assertEquals(true, e.getMessage().contains("broken.json"), e.getMessage());
  }
  @Test
  void aTenMegabyteTextCostsNoMoreThanAShortOne() {
    StringBuilder big = new StringBuilder();
    while (big.length() < 10_000_000) big.append("the quick brown fox jumps over the lazy dog ");
    String text = big.toString();
    long[] expected = tokenizer.encode(List.of("the quick brown fox jumps over the lazy dog"))[0];
    long charactersBefore = TextTokenizer.encodedCharacters();
    long started = System.nanoTime();
    long[] ids = tokenizer.encode(List.of(text))[0];
    long nanos = System.nanoTime() - started;
    assertArrayEquals(expected, ids);
    long looked = TextTokenizer.encodedCharacters() - charactersBefore;
    assertTrue(looked <= 8 * TextTokenizer.CHARS_PER_TOKEN, "tokenized " + looked + " characters of 10 MB");
    assertTrue(nanos < 1_000_000_000L, "took " + nanos / 1e6 + " ms");
  }

  @Test
  void aHeadWithTooFewTokensIsWidenedSoTruncationIsUnchanged() {
    long[] expected = tokenizer.encode(List.of("a b c d e f g h i"))[0];
    String spaced = "a" + " ".repeat(5000) + "b c d e f g h i" + " j".repeat(100_000);
    assertArrayEquals(expected, tokenizer.encode(List.of(spaced))[0]);
    // Past max_sequence_length x 1024 characters nothing is read: whitespace there yields nothing.
    String farAway = "a" + " ".repeat(8 * TextTokenizer.MAX_CHARS_PER_TOKEN) + "b";
    assertArrayEquals(tokenizer.encode(List.of("a"))[0], tokenizer.encode(List.of(farAway))[0]);
  }

  @Test
  void headsAreCutAtWhitespaceAndBetweenCodePoints() {
    assertEquals("aaa bbb", TextTokenizer.head("aaa bbb ccc", 9));
    assertEquals("abcdefgh", TextTokenizer.head("abcdefghij", 8));
    String emoji = "abcdefg\uD83C\uDF89xyz";  // the 8th char is a high surrogate
    assertEquals("abcdefg", TextTokenizer.head(emoji, 8));
  }
}
