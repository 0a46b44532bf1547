package dev.fidelio.benchmarks;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.EmbeddingCache;
import dev.fidelio.features.Dataset;
import dev.fidelio.features.InputColumn;
import dev.fidelio.features.Preprocessor;
import dev.fidelio.features.TextMetadata;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.model.EcdModel;
import dev.fidelio.model.ModelFactory;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.model.TextEncoderModel;
import dev.fidelio.weights.PretrainedEncoder;
import dev.fidelio.weights.PretrainedLocator;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training epoch of the spam example's model (examples/spam/config.yaml: all-MiniLM-L6-v2
 * frozen, mean pooling, 256 tokens, a 128-unit combiner layer, batch 32) over the first `rows`
 * rows of spam.csv: with the encoder running in every step, and on embeddings cached once (in
 * the set-up, as preprocessing does). Same rows, same order, same batches.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CachedEmbeddingsEpochBenchmark {
  static final String CONFIG = """
      input_features:
        - name: text
          type: text
          encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                    trainable: false, reduce_output: mean}
          preprocessing: {max_sequence_length: 256, cache_encoder_embeddings: CACHED}
      output_features:
        - {name: label, type: category}
      combiner: {type: concat, num_fc_layers: 1, output_size: 128, dropout: 0.1}
      trainer: {epochs: 5, batch_size: 32, learning_rate: 0.001, early_stop: -1, optimizer: {type: adamw}}
      """;
  private static final int BATCH = 32;

  @Param({"320"})
  int rows;

  private EcdModel frozen;
  private EcdModel cached;
  private Dataset tokens;
  private Dataset embeddings;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    FidelioConfig uncachedConfig = FidelioConfig.parse(CONFIG.replace("CACHED", "false"));
    FidelioConfig cachedConfig = FidelioConfig.parse(CONFIG.replace("CACHED", "true"));
    Path root = Path.of(System.getProperty("fidelio.root", "."));
    int[] all = IntStream.range(0, rows).toArray();
    Table table = DatasetReader.read(root.resolve("examples/spam/spam.csv")).rows(all);
    PretrainedEncoder source = PretrainedLocator.fromEnvironment().load("sentence-transformers/all-MiniLM-L6-v2");
    TextMetadata text = new TextMetadata(source.source(), source.config(), TextEncoderModel.describe(source.config()),
        "text_tokenizer.json", 256, 0, "<UNK>");
    TrainingSetMetadata metadata = Preprocessor.fit(uncachedConfig, table, all, Map.of("text", text), 42);
    try (InputStream json = source.tokenizer().orElseThrow().open();
         TextTokenizer tokenizer = TextTokenizer.load(json, "MiniLM", 256, text.padTokenId())) {
      tokens = new Preprocessor(uncachedConfig, metadata, Map.of("text", tokenizer)).transform(table, all, true,
          "training");
    }
    frozen = ModelFactory.build(uncachedConfig, metadata, Map.of("text", source), 42, new ArrayList<>());
    cached = ModelFactory.build(cachedConfig, metadata, Map.of("text", source), 42, new ArrayList<>());
    for (EcdModel m : List.of(frozen, cached)) m.configure(EcdModel.TrainSpec.DEFAULT);
    Dataset none = new Dataset(new int[0], List.of(InputColumn.Tokens.of(new long[0][], 0)), List.of());
    embeddings = EmbeddingCache.apply(cached, cachedConfig, metadata, BATCH, tokens, none, none).train();
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public double epochFrozenEncoder() {
    return epoch(frozen, tokens);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @Warmup(iterations = 2, time = 2)
  @Measurement(iterations = 5, time = 2)
  public double epochCachedEmbeddings() {
    return epoch(cached, embeddings);
  }

  private static double epoch(EcdModel model, Dataset data) {
    double loss = 0;
    for (int start = 0; start < data.size(); start += BATCH) {
      int[] batch = IntStream.range(start, Math.min(data.size(), start + BATCH)).toArray();
      List<Tensor> inputs = data.inputTensors(batch);
      List<Tensor> targets = data.targetTensors(batch);
      try {
        loss += model.trainStep(inputs, targets, 1e-3);
      } finally {
        inputs.forEach(Tensor::close);
        targets.forEach(Tensor::close);
      }
    }
    return loss;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    frozen.close();
    cached.close();
  }
}
