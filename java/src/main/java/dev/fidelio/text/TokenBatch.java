package dev.fidelio.text;

/**
 * Token sequences of one batch padded to the batch's longest sequence (dynamic padding), row-major:
 * ids and attention mask (1 for tokens, 0 for padding), both [batch, length].
 */
public record TokenBatch(long[] inputIds, long[] attentionMask, int batch, int length) {
  public static TokenBatch pad(long[][] sequences, int[] rows, long padTokenId) {
    int length = 1;
    for (int r : rows) length = Math.max(length, sequences[r].length);
    long[] ids = new long[rows.length * length];
    long[] mask = new long[rows.length * length];
    for (int i = 0; i < rows.length; i++) {
      long[] sequence = sequences[rows[i]];
      java.util.Arrays.fill(ids, i * length, (i + 1) * length, padTokenId);
      System.arraycopy(sequence, 0, ids, i * length, sequence.length);
      java.util.Arrays.fill(mask, i * length, i * length + sequence.length, 1L);
    }
    return new TokenBatch(ids, mask, rows.length, length);
  }
}
