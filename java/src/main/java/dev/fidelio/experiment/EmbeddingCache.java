package dev.fidelio.experiment;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.TextEncoder;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.InputColumn;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.train.ProgressBar;
import dev.fidelio.util.Log;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * cache_encoder_embeddings: a frozen text or image encoder runs once over every split here, and training
 * then passes the cached embeddings straight to the combiner (the model's skip path), so epochs
 * need no encoder forward pass at all. The saved model still holds the real encoder. Public for
 * the benchmark that times epochs with and without it.
 */
public final class EmbeddingCache {
  public record Cached(Dataset train, Dataset validation, Dataset test, List<String> embeddedFeatures) {}

  /**
   * glibc serves blocks above its largest mmap threshold (32 MiB on 64-bit) with a fresh mmap and
   * munmap on every call: attention scores bigger than that made embedding 1.8x slower (16 vs 28
   * rows/s for MiniLM at 256 tokens, batch 32 vs 10), all of it in system time.
   */
  static final long ATTENTION_BUFFER_LIMIT = 32L << 20;

  private EmbeddingCache() {}

  /** Indices of the input features whose encoder outputs are cached. */
  static List<Integer> cachedInputs(FidelioConfig config) {
    List<Integer> cached = new ArrayList<>();
    for (int i = 0; i < config.inputFeatures().size(); i++) {
      InputFeature input = config.inputFeatures().get(i);
      if (input instanceof TextInputFeature t && t.preprocessing().cacheEncoderEmbeddings()
          || input instanceof ImageInputFeature image && image.preprocessing().cacheEncoderEmbeddings()) {
        cached.add(i);
      }
    }
    return cached;
  }

  public static Cached apply(EcdModel model, FidelioConfig config, TrainingSetMetadata metadata, int evalBatchSize,
                      Dataset train, Dataset validation, Dataset test) {
    List<String> embedded = new ArrayList<>();
    for (int i : cachedInputs(config)) {
      InputFeature input = config.inputFeatures().get(i);
      int batchRows, hidden;
      if (input instanceof ImageInputFeature) {
        batchRows = evalBatchSize;
        hidden = featureWidth(model, i, train);
      } else {
        var text = metadata.text(input.name());
        batchRows = batchRows(evalBatchSize, text.encoderConfig().integer("num_attention_heads", 12), text.maxSequenceLength());
        hidden = (int) text.encoderInfo().hiddenSize();
        if (config.reduceOutputOf((TextInputFeature) input) == TextEncoder.ReduceOutput.CONCAT) {
          hidden *= text.maxSequenceLength();  // every position up to max_sequence_length, flattened
        }
      }
      long started = System.nanoTime();
      train = train.withInput(i, embed(model, i, train, batchRows, hidden, input.name() + " training"));
      validation = validation.withInput(i, embed(model, i, validation, batchRows, hidden, input.name() + " validation"));
      test = test.withInput(i, embed(model, i, test, batchRows, hidden, input.name() + " test"));
      model.setCachedEmbeddings(i, true);
      embedded.add(input.name());
      Log.info(String.format("%s: encoder outputs cached for %d rows in %.1f s (batches of %d)", input.name(),
          train.size() + validation.size() + test.size(), (System.nanoTime() - started) / 1e9, batchRows));
    }
    return new Cached(train, validation, test, embedded);
  }

  /** An image encoder's feature width, from one training row: it depends on the family and variant alone. */
  private static int featureWidth(EcdModel model, int input, Dataset train) {
    if (train.size() == 0) throw new IllegalStateException("the training split is empty: nothing to cache");
    List<Tensor> one = train.inputs().get(input).tensors(new int[] {0});
    try (Tensor embedding = model.embed(input, one.toArray(Tensor[]::new))) {
      return embedding.toFloatArray().length;
    } finally {
      one.forEach(Tensor::close);
    }
  }

  /** Rows per encoder batch: at most evalBatchSize, and few enough that one head set of scores fits the limit. */
  static int batchRows(int evalBatchSize, int heads, int maxSequenceLength) {
    long perRow = 4L * heads * maxSequenceLength * maxSequenceLength;
    return (int) Math.max(1, Math.min(evalBatchSize, ATTENTION_BUFFER_LIMIT / perRow));
  }

  /** Token rows go through the encoder shortest first, so each batch pads to nearly its own length. */
  private static InputColumn embed(EcdModel model, int input, Dataset data, int batchRows, int hidden,
                                   String label) {
    InputColumn column = data.inputs().get(input);
    int[] order = column instanceof InputColumn.Tokens tokens
        ? IntStream.range(0, data.size()).boxed().sorted(Comparator.comparingInt(tokens::length))
            .mapToInt(Integer::intValue).toArray()
        : IntStream.range(0, data.size()).toArray();
    float[] values = new float[data.size() * hidden];
    ProgressBar bar = new ProgressBar("caching " + label + " embeddings", (data.size() + batchRows - 1) / batchRows);
    for (int start = 0; start < data.size(); start += batchRows) {
      int[] rows = java.util.Arrays.copyOfRange(order, start, Math.min(data.size(), start + batchRows));
      List<Tensor> batch = column.tensors(rows);
      try (Tensor embedding = model.embed(input, batch.toArray(Tensor[]::new))) {
        float[] out = embedding.toFloatArray();
        if (out.length != rows.length * hidden) {
          throw new IllegalStateException("the encoder gave " + out.length / rows.length + " values per row, expected "
              + hidden);
        }
        for (int i = 0; i < rows.length; i++) System.arraycopy(out, i * hidden, values, rows[i] * hidden, hidden);
        bar.update(start / batchRows + 1, start + rows.length, Double.NaN);
      } finally {
        batch.forEach(Tensor::close);
      }
    }
    return InputColumn.Dense.of(values, hidden);
  }
}
