package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Encoder batches while caching embeddings: at most the eval batch size, and small enough that
 * one batch's attention scores (rows * heads * T * T floats) stay within glibc's 32 MiB mmap
 * threshold, above which every call maps and unmaps its buffers.
 */
class EmbeddingCacheBatchTest {
  @ParameterizedTest(name = "eval batch {0}, {1} heads, {2} tokens -> {3} rows")
  @CsvSource({
      "32, 12, 256, 10",  // MiniLM at the spam example's length: 10 * 3 MiB = 30 MiB
      "32, 12, 48, 32",   // short sequences: the eval batch size decides
      "32, 12, 512, 2",
      "8, 12, 128, 8",
      "32, 16, 4096, 1",  // never fewer than one row
  })
  void keepsAttentionScoresUnderTheMmapThreshold(int evalBatch, int heads, int tokens, int expected) {
    int rows = EmbeddingCache.batchRows(evalBatch, heads, tokens);
    assertEquals(expected, rows);
    if (rows > 1) assertEquals(true, 4L * heads * tokens * tokens * rows <= 32L << 20);
  }
}
