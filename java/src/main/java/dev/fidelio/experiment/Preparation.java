package dev.fidelio.experiment;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.SplitIndices;
import dev.fidelio.data.Splitter;
import dev.fidelio.data.Table;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.Preprocessor;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.store.PreprocessedData;
import dev.fidelio.store.PreprocessedStore;
import dev.fidelio.store.StoreKey;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.util.Digests;
import dev.fidelio.util.Log;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's preprocessing: reuse the preprocessed store entry whose key matches (no reading of
 * rows, no tokenization, no encoder forward), or read, split, fit and transform the dataset, run
 * the frozen encoders whose outputs are cached, and store the result for the next run. In two
 * phases because caching encoder outputs needs the model, and building the model needs the
 * training-set metadata that phase one yields.
 */
final class Preparation {
  /** After phase one: the data (with raw tokens where the store missed) and where it came from. */
  record Pending(StoreKey key, PreprocessedStore store, PreprocessedData data, boolean hit, long startedNanos,
                 long tokenizedBefore, long encoderRowsBefore) {}

  /**
   * The finished preprocessing and what it cost: tokenizedTexts and encoderForwardRows are 0 on a
   * hit; entry is null and storeError says why when the store could not be written.
   */
  record Result(PreprocessedData data, StoreKey key, Path entry, boolean hit, double seconds, long tokenizedTexts,
                long encoderForwardRows, String storeError) {
    Map<String, Object> describe() {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("store_entry", entry == null ? null : entry.toString());
      d.put("key", key.hash());
      d.put("hit", hit);
      d.put("seconds", seconds);
      d.put("tokenized_texts", tokenizedTexts);
      d.put("encoder_forward_rows", encoderForwardRows);
      d.put("key_components", key.components());
      return d;
    }
  }

  private Preparation() {}

  /** cacheDir: the store's root; null puts it beside the dataset. */
  static Pending start(FidelioConfig config, Path datasetFile, long seed, TextEncoders encoders, Path cacheDir) {
    DatasetReader.checkReadable(datasetFile);  // before hashing it, which would only say "cannot read ... to hash it"
    long started = System.nanoTime();
    long tokenized = TextTokenizer.encodedTexts();
    long encoderRows = TextEncoderModel.forwardRows();
    String fidelioVersion = NativeRuntime.info().getOrDefault("fidelio_version", "unknown");
    Map<String, com.fasterxml.jackson.databind.node.ObjectNode> identities = new LinkedHashMap<>(encoders.identities(config));
    identities.putAll(ImageEncoders.identities(config, datasetFile));
    StoreKey key = StoreKey.of(config, datasetFile, Digests.sha256(datasetFile), seed, fidelioVersion, identities);
    PreprocessedStore store = new PreprocessedStore(cacheDir != null ? cacheDir : PreprocessedStore.besideDataset(datasetFile));
    Optional<PreprocessedData> stored = store.open(key);
    if (stored.isPresent()) {
      PreprocessedData data = stored.get();
      // Where the encoders were found this time (the key proved they are the same ones).
      data.metadata().text().putAll(encoders.metadata());
      Log.info(String.format("preprocessed data reused from %s (%d rows; key %s)", store.entry(key), data.datasetRows(),
          key.hash().substring(0, 12)));
      return new Pending(key, store, data, true, started, tokenized, encoderRows);
    }
    Log.info("no preprocessed data for key " + key.hash().substring(0, 12) + " in " + store.root() + ": preprocessing");
    Table table = DatasetReader.read(datasetFile);
    table = Sampling.apply(table, config.preprocessing(), seed);
    SplitIndices split = Splitter.split(table, config.preprocessing().split(), seed);
    Log.info(datasetFile + ": " + table.rowCount() + " rows; " + Splitter.describe(split));
    TrainingSetMetadata metadata = Preprocessor.fit(config, table, split.train(), encoders.metadata(), seed);
    Preprocessor preprocessor = new Preprocessor(config, metadata, encoders.tokenizers());
    Dataset train = preprocessor.transform(table, Balancing.apply(config, table, split.train(), metadata, seed), true,
        "training");
    Dataset validation = preprocessor.transform(table, split.validation(), true, "validation");
    Dataset test = preprocessor.transform(table, split.test(), true, "test");
    if (train.size() == 0) throw new IllegalArgumentException("no training rows are left after preprocessing");
    int[] splitRows = {split.train().length, split.validation().length, split.test().length};
    var data = new PreprocessedData(metadata, train, validation, test, table.rowCount(), splitRows, List.of());
    return new Pending(key, store, data, false, started, tokenized, encoderRows);
  }

  /**
   * On a hit, switches the model's cached inputs to the skip path; on a miss, runs the frozen
   * encoders over those inputs (batches of at most evalBatchSize rows) and stores the result.
   * model may be null where nothing trains and no encoder output is to be cached (fidelio preprocess).
   */
  static Result finish(Pending pending, EcdModel model, FidelioConfig config, int evalBatchSize) {
    PreprocessedData data = pending.data();
    Path entry = pending.store().entry(pending.key());
    String storeError = null;
    if (pending.hit()) {
      if (model != null) for (int i : EmbeddingCache.cachedInputs(config)) model.setCachedEmbeddings(i, true);
    } else {
      var cached = EmbeddingCache.apply(model, config, data.metadata(), evalBatchSize, data.training(),
          data.validation(), data.test());
      data = new PreprocessedData(data.metadata(), cached.train(), cached.validation(), cached.test(),
          data.datasetRows(), data.splitRows(), cached.embeddedFeatures());
      try {
        entry = pending.store().write(pending.key(), data);
        Log.info("preprocessed data stored in " + entry);
      } catch (RuntimeException e) {
        // The run itself needs no store; only the next run would have been faster.
        Log.warn("could not store the preprocessed data (" + e.getMessage() + "); pass --cache_dir to put it elsewhere");
        entry = null;
        storeError = e.getMessage();
      }
    }
    return new Result(data, pending.key(), entry, pending.hit(), (System.nanoTime() - pending.startedNanos()) / 1e9,
        TextTokenizer.encodedTexts() - pending.tokenizedBefore(), TextEncoderModel.forwardRows() - pending.encoderRowsBefore(),
        storeError);
  }
}
