package dev.fidelio.benchmarks.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.transformer.BertBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The all-MiniLM-L6-v2 shape (6 layers, hidden 384, 12 heads, intermediate 1536, vocab 30522) built
 * from DJL's own BertBlock, with the masked mean pooling and 384 -> 2 head of Fidelio's text input
 * and category output. Inputs: token ids, token type ids, attention mask, all (batch, length) int64.
 *
 * <p>DJL's BertBlock is what a DJL user has for a trainable BERT; it differs from HF's BertModel
 * (and Fidelio's) in ways that cost little time but that the results file names: its norms are
 * BatchNorm over the hidden axis, not LayerNorm; attention is composed of matMul/softmax (no fused
 * SDPA); it always computes a 384 x 384 tanh pooler on one token (unused here); and its position
 * table must have exactly `length` rows, since it adds the whole table to every sequence.
 */
public final class MiniLmClassifier extends AbstractBlock {
  public static final int VOCAB = 30522;
  public static final int HIDDEN = 384;

  private final BertBlock bert;
  private final Linear head;

  public MiniLmClassifier(int length) {
    super((byte) 1);
    bert = addChildBlock("bert", BertBlock.builder()
        .setTokenDictionarySize(VOCAB)
        .optTypeDictionarySize(2)
        .optEmbeddingSize(HIDDEN)
        .optTransformerBlockCount(6)
        .optAttentionHeadCount(12)
        .optHiddenSize(1536)
        .optHiddenDropoutProbability(0.1f)
        .optMaxSequenceLength(length)
        .build());
    head = addChildBlock("head", Linear.builder().setUnits(2).build());
  }

  /** The encoder's last hidden states, mean-pooled over the unmasked tokens: (batch, 384). */
  public NDArray pool(ParameterStore ps, NDList inputs, boolean training) {
    NDArray hidden = bert.forward(ps, inputs, training).head(); // (batch, length, 384)
    NDArray keep = inputs.get(2).toType(DataType.FLOAT32, false).expandDims(-1); // (batch, length, 1)
    return hidden.mul(keep).sum(new int[] {1}).div(keep.sum(new int[] {1}).clip(1f, Float.MAX_VALUE));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    return head.forward(ps, new NDList(pool(ps, inputs, training)), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), 2)};
  }

  @Override
  public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    bert.initialize(manager, dataType, inputShapes);
    head.initialize(manager, dataType, new Shape(inputShapes[0].get(0), HIDDEN));
  }
}
