package dev.fidelio.benchmarks.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** The benchmarks' batch, drawn as Fidelio's are: ids uniform in [1000, vocab), seed 3, no padding. */
final class RandomBatch {
  private RandomBatch() {}

  /** Token ids, token type ids (zeros) and attention mask (ones), each (batch, length) int64. */
  static NDList inputs(NDManager manager, int batch, int length) {
    Random random = new Random(3);
    long[] ids = new long[batch * length];
    long[] types = new long[batch * length];
    long[] mask = new long[batch * length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1000 + random.nextInt(MiniLmClassifier.VOCAB - 1000);
      mask[i] = 1;
    }
    Shape shape = new Shape(batch, length);
    return new NDList(manager.create(ids, shape), manager.create(types, shape), manager.create(mask, shape));
  }
}
