package dev.fidelio.benchmarks;

import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.experiment.Experiment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole `experiment` (5 epochs, each followed by validation and test evaluation, then the
 * final test predictions) of the spam model on the first `rows` rows of spam.csv, as a user runs
 * it: with the frozen encoder in every step, with cached embeddings and an empty store (so the
 * one-time encoder pass is included), and with cached embeddings found in the store.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
// The frozen-encoder run took 12 minutes on 2 busy cores: past JMH's default 10-minute limit.
@Timeout(time = 60, timeUnit = TimeUnit.MINUTES)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CachedEmbeddingsEndToEndBenchmark {
  @Param({"320"})
  int rows;

  private Path dir;
  private Path data;
  private Path cachedConfig;
  private Path uncachedConfig;
  private Path filledStore;
  private int run;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("fidelio-cache-benchmark");
    Table spam = DatasetReader.read(Path.of(System.getProperty("fidelio.root", ".")).resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>(List.of("text,label"));
    for (int r = 0; r < rows; r++) lines.add("\"" + spam.cell(r, "text").replace("\"", "\"\"") + "\"," + spam.cell(r, "label"));
    data = dir.resolve("spam-" + rows + ".csv");
    Files.write(data, lines);
    cachedConfig = Files.writeString(dir.resolve("cached.yaml"),
        CachedEmbeddingsEpochBenchmark.CONFIG.replace("CACHED", "true"));
    uncachedConfig = Files.writeString(dir.resolve("uncached.yaml"),
        CachedEmbeddingsEpochBenchmark.CONFIG.replace("CACHED", "false"));
    filledStore = dir.resolve("filled-store");
    Experiment.preprocess(cachedConfig, data, 42, filledStore);
  }

  @Benchmark
  public Path frozenEncoderEveryStep() {
    return experiment(uncachedConfig, dir.resolve("store-" + run));
  }

  @Benchmark
  public Path cachedEmbeddingsIncludingPreprocessing() {
    return experiment(cachedConfig, dir.resolve("store-" + run));
  }

  @Benchmark
  public Path cachedEmbeddingsFromTheStore() {
    return experiment(cachedConfig, filledStore);
  }

  private Path experiment(Path config, Path cacheDir) {
    run++;
    return Experiment.run(config, data, new Experiment.Settings(dir.resolve("results"), "bench", "run", 42, cacheDir),
        true);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
