package dev.fidelio.features;

import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TokenBatch;
import java.util.List;

/** One input feature's preprocessed values for every row of a dataset split. */
public sealed interface InputColumn {
  /** The tensors of rows, in the order the native model's input expects. */
  List<Tensor> tensors(int[] rows);

  /** Token ids per row, padded per batch to the batch's longest sequence. */
  record Tokens(long[][] ids, long padTokenId) implements InputColumn {
    @Override
    public List<Tensor> tensors(int[] rows) {
      TokenBatch batch = TokenBatch.pad(ids, rows, padTokenId);
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

  /** A frozen encoder's output per row, computed once (cache_encoder_embeddings). */
  record Embeddings(float[] values, int size) implements InputColumn {
    @Override
    public List<Tensor> tensors(int[] rows) {
      float[] batch = new float[rows.length * size];
      for (int i = 0; i < rows.length; i++) System.arraycopy(values, rows[i] * size, batch, i * size, size);
      return List.of(Tensor.of(batch, rows.length, size));
    }
  }
}
