package dev.fidelio.experiment;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.InputColumn;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.train.ProgressBar;
import java.util.ArrayList;
import java.util.List;

/**
 * cache_encoder_embeddings: a frozen text encoder runs once over every split here, and training
 * then passes the cached embeddings straight to the combiner (the model's skip path), so epochs
 * need no encoder forward pass at all. The saved model still holds the real encoder.
 */
final class EmbeddingCache {
  record Cached(Dataset train, Dataset validation, Dataset test, List<String> embeddedFeatures) {}

  private EmbeddingCache() {}

  static Cached apply(EcdModel model, FidelioConfig config, int batchSize, Dataset train, Dataset validation,
                      Dataset test) {
    List<String> embedded = new ArrayList<>();
    for (int i = 0; i < config.inputFeatures().size(); i++) {
      InputFeature input = config.inputFeatures().get(i);
      if (!(input instanceof TextInputFeature t) || !t.preprocessing().cacheEncoderEmbeddings()) continue;
      long started = System.nanoTime();
      train = train.withInput(i, embed(model, i, train, batchSize, t.name() + " training"));
      validation = validation.withInput(i, embed(model, i, validation, batchSize, t.name() + " validation"));
      test = test.withInput(i, embed(model, i, test, batchSize, t.name() + " test"));
      model.setCachedEmbeddings(i, true);
      embedded.add(t.name());
      Log.info(String.format("%s: encoder outputs cached for %d rows in %.1f s", t.name(),
          train.size() + validation.size() + test.size(), (System.nanoTime() - started) / 1e9));
    }
    return new Cached(train, validation, test, embedded);
  }

  private static InputColumn embed(EcdModel model, int input, Dataset data, int batchSize, String label) {
    float[] values = null;
    int size = 0;
    ProgressBar bar = new ProgressBar("caching " + label + " embeddings", (data.size() + batchSize - 1) / batchSize);
    for (int start = 0; start < data.size(); start += batchSize) {
      int[] rows = java.util.stream.IntStream.range(start, Math.min(data.size(), start + batchSize)).toArray();
      List<Tensor> tokens = data.inputs().get(input).tensors(rows);
      try (Tensor embedding = model.embed(input, tokens.get(0), tokens.get(1))) {
        float[] batch = embedding.toFloatArray();
        size = batch.length / rows.length;
        if (values == null) values = new float[data.size() * size];
        System.arraycopy(batch, 0, values, start * size, batch.length);
        bar.update(start / batchSize + 1, start + rows.length, Double.NaN);
      } finally {
        tokens.forEach(Tensor::close);
      }
    }
    return new InputColumn.Embeddings(values == null ? new float[0] : values, size);
  }
}
