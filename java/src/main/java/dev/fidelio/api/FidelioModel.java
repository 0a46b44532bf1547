package dev.fidelio.api;

import dev.fidelio.config.InputFeature;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.data.DataException;
import dev.fidelio.data.Table;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.FeatureException;
import dev.fidelio.features.Preprocessor;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.predict.Predictor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A saved model embedded in a JVM program: load a model folder once, then predict on in-memory rows
 * from any number of threads.
 *
 * <pre>{@code
 * try (FidelioModel model = FidelioModel.load(Path.of("results/experiment_run/model"))) {
 *   Predictions p = model.predict(List.of(Map.of("text", "Win a free cruise now!")));
 *   p.row(0).get("label_predictions");   // "spam"
 *   p.row(0).get("label_probability");   // 0.97
 * }
 * }</pre>
 *
 * <p>Thread safety: {@link #predict} may be called concurrently. Checking and tokenizing rows run on
 * the calling thread in parallel (the Hugging Face tokenizer is immutable); the native forward pass
 * runs under one lock per model, because the native model switches between training and evaluation
 * mode around each call and LibTorch already spreads one forward pass over all intra-op threads.
 * For throughput across many callers, batch rows together (as {@code fidelio serve} does) rather
 * than loading several copies. {@link #close} must not race with {@link #predict}.
 */
public final class FidelioModel implements AutoCloseable {
  private final ModelBundle bundle;
  private final Preprocessor preprocessor;
  private final ReentrantLock nativeLock = new ReentrantLock();
  private final int batchSize;

  private FidelioModel(ModelBundle bundle, int batchSize) {
    this.bundle = bundle;
    this.preprocessor = new Preprocessor(bundle.config(), bundle.metadata(), bundle.tokenizers());
    this.batchSize = batchSize;
  }

  /** Loads a model folder (the {@code model/} of a training run); rows go through the model 128 at a time. */
  public static FidelioModel load(Path modelFolder) {
    return load(modelFolder, 128);
  }

  /** Loads a model folder; rows go through the model batchSize at a time (at least 1). */
  public static FidelioModel load(Path modelFolder, int batchSize) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    return new FidelioModel(ModelBundle.load(modelFolder), batchSize);
  }

  /** The model's input features: what a row for {@link #predict} holds. */
  public List<InputFeature> inputFeatures() {
    return bundle.config().inputFeatures();
  }

  /** The model's output features: what {@link #predict} returns. */
  public List<OutputFeature> outputFeatures() {
    return bundle.config().outputFeatures();
  }

  /** The loaded bundle (config, metadata, native model), e.g. for export. */
  public ModelBundle bundle() {
    return bundle;
  }

  /**
   * Throws {@link InvalidInputException} naming the feature when a row lacks an input feature or
   * holds a value of a type that feature cannot take; cheap (no tokenization, no native call).
   */
  public void validate(List<? extends Map<String, ?>> rows) {
    RowTable.of(rows, inputFeatures(), "request");
  }

  /**
   * Predictions for rows, keyed by input feature name (or column), values as in a dataset: text as
   * String (numbers and booleans are taken as text), images as a file path; null or absent from a
   * present key means missing (the feature's missing_value_strategy applies). Extra keys are ignored.
   */
  public Predictions predict(List<? extends Map<String, ?>> rows) {
    Table table = RowTable.of(rows, inputFeatures(), "request");
    int[] all = java.util.stream.IntStream.range(0, rows.size()).toArray();
    Dataset data;
    try {
      data = rows.isEmpty() ? new Dataset(new int[0], List.of(), List.of())
          : preprocessor.transform(table, all, false, "request");
    } catch (FeatureException | DataException e) {
      throw new InvalidInputException(e instanceof FeatureException f ? f.feature() : null, e.getMessage());
    }
    if (data.size() < rows.size()) throw droppedRow(data, rows.size());
    Predictor.Result result;
    nativeLock.lock();
    try {
      result = Predictor.run(bundle.model(), data, bundle.config(), bundle.metadata(), batchSize);
    } finally {
      nativeLock.unlock();
    }
    return new Predictions(result.outputs(), data.size());
  }

  /** Preprocessing dropped a row (missing_value_strategy drop_row): a prediction per row is impossible. */
  private InvalidInputException droppedRow(Dataset data, int rows) {
    int dropped = 0;
    while (dropped < data.size() && data.sourceRows()[dropped] == dropped) dropped++;
    return new InvalidInputException(null, "row " + dropped + " of " + rows + " has a missing value that its input"
        + " feature's preprocessing drops (missing_value_strategy: drop_row); give a value for every input feature");
  }

  @Override
  public void close() {
    bundle.close();
  }
}
