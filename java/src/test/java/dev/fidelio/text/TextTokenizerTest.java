package dev.fidelio.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
