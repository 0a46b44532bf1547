package dev.fidelio.features;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TokenBatch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One input feature's preprocessed values for every row of a dataset split. The values live in
 * memory segments, on the heap when just computed or memory-mapped from the preprocessed store,
 * so a split larger than RAM is paged in batch by batch. The store writes and maps exactly these
 * layouts (see the store's StoredColumns): a new feature kind that fits {@link Dense} (numbers,
 * image tensors, any encoder's cached outputs) needs no store change.
 */
public sealed interface InputColumn {
  /** Rows in this column. */
  long rows();

  /** The tensors of rows, in the order the native model's input expects. */
  List<Tensor> tensors(int[] rows);

  /**
   * Token ids per row: row r is ids[offsets[r], offsets[r + 1]) (int32 ids, int64 offsets, rows + 1
   * of them), padded per batch to the batch's longest sequence.
   */
  record Tokens(MemorySegment ids, MemorySegment offsets, long padTokenId) implements InputColumn {
    public static Tokens of(long[][] sequences, long padTokenId) {
      long[] offsets = new long[sequences.length + 1];
      for (int r = 0; r < sequences.length; r++) offsets[r + 1] = offsets[r] + sequences[r].length;
      int[] ids = new int[Math.toIntExact(offsets[sequences.length])];
      for (int r = 0; r < sequences.length; r++) {
        for (int i = 0; i < sequences[r].length; i++) ids[(int) offsets[r] + i] = Math.toIntExact(sequences[r][i]);
      }
      return new Tokens(MemorySegment.ofArray(ids), MemorySegment.ofArray(offsets), padTokenId);
    }

    @Override
    public long rows() {
      return offsets.byteSize() / Long.BYTES - 1;
    }

    /** Token count of row r. */
    public int length(int r) {
      return (int) (offsets.getAtIndex(JAVA_LONG, r + 1) - offsets.getAtIndex(JAVA_LONG, r));
    }

    public long[] row(int r) {
      long start = offsets.getAtIndex(JAVA_LONG, r);
      long[] row = new long[length(r)];
      for (int i = 0; i < row.length; i++) row[i] = ids.getAtIndex(JAVA_INT, start + i);
      return row;
    }

    @Override
    public List<Tensor> tensors(int[] rows) {
      long[][] sequences = new long[rows.length][];
      int[] order = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        sequences[i] = row(rows[i]);
        order[i] = i;
      }
      TokenBatch batch = TokenBatch.pad(sequences, order, padTokenId);
      long[] shape = {batch.batch(), batch.length()};
      Tensor inputIds = Tensor.of(batch.inputIds(), shape);
      try {
        return List.of(inputIds, Tensor.of(batch.attentionMask(), shape));
      } catch (RuntimeException e) {
        inputIds.close();
        throw e;
      }
    }
  }

  /**
   * Fixed-size rows of dtype, each of shape rowShape (row-major, rows concatenated): a frozen
   * encoder's outputs (cache_encoder_embeddings), numbers, image tensors. One tensor [B, rowShape...].
   */
  record Dense(DType dtype, long[] rowShape, MemorySegment values) implements InputColumn {
    public static Dense of(float[] values, long... rowShape) {
      return new Dense(DType.FLOAT32, rowShape, MemorySegment.ofArray(values));
    }

    public long rowBytes() {
      long n = dtype.byteSize();
      for (long d : rowShape) n *= d;
      return n;
    }

    @Override
    public long rows() {
      return rowBytes() == 0 ? 0 : values.byteSize() / rowBytes();
    }

    @Override
    public List<Tensor> tensors(int[] rows) {
      long rowBytes = rowBytes();
      long[] shape = new long[rowShape.length + 1];
      shape[0] = rows.length;
      System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
      // Gathered into native memory: heap-backed values cannot be handed to a native call.
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment batch = arena.allocate(Math.max(1, rows.length * rowBytes), 8).asSlice(0, rows.length * rowBytes);
        for (int i = 0; i < rows.length; i++) {
          MemorySegment.copy(values, rows[i] * rowBytes, batch, i * rowBytes, rowBytes);
        }
        return List.of(Tensor.copyOf(dtype, batch, shape));
      }
    }
  }
}
