package dev.fidelio.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.runtime.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume: `fidelio train` runs as a separate process and is killed with SIGKILL at several
 * points; each `--model_resume_path` run continues from the newest intact checkpoint, and the final
 * weights, statistics and per-step log equal, byte for byte, those of a run never interrupted
 * (same seed, CPU). A checkpoint damaged on disk is detected and the one before it used.
 */
class ResumeAfterKillTest {
  private static final String CONFIG = """
      input_features:
        - name: text
          type: text
          encoder: {type: auto_transformer, pretrained_model_name_or_path: sentence-transformers/all-MiniLM-L6-v2,
                    trainable: false, reduce_output: mean}
          preprocessing: {max_sequence_length: 24, cache_encoder_embeddings: true}
      output_features:
        - {name: label, type: category}
      combiner: {type: concat, num_fc_layers: 1, output_size: 16, dropout: 0.2}
      trainer:
        epochs: 4
        batch_size: 8
        steps_per_checkpoint: 2
        early_stop: -1
        learning_rate: 0.01
        optimizer: {type: sgd, momentum: 0.9}
        learning_rate_scheduler: {warmup_fraction: 0.1, decay: cosine}
      """;
  /** Files a finished run leaves that must not depend on interruptions. */
  private static final List<String> SAME = List.of("model/model_weights.safetensors",
      "model/frozen_weights.safetensors", "training_statistics.json", "training_log.csv");

  @TempDir
  static Path dir;
  private static Path config;
  private static Path data;
  private static Path reference;

  @BeforeAll
  static void uninterruptedRun() throws Exception {
    Path root = Path.of(System.getProperty("fidelio.root", ".."));
    Table spam = DatasetReader.read(root.resolve("examples/spam/spam.csv"));
    List<String> lines = new ArrayList<>(List.of("text,label"));
    for (int r = 0; r < 80; r++) {
      lines.add("\"" + spam.cell(r, "text").replace("\"", "\"\"") + "\"," + spam.cell(r, "label"));
    }
    data = Files.write(dir.resolve("slice.csv"), lines);
    config = Files.writeString(dir.resolve("config.yaml"), CONFIG);
    Process run = train(dir.resolve("reference"), null);
    assertEquals(0, run.waitFor(), "the uninterrupted run failed; see " + dir.resolve("reference.log"));
    reference = dir.resolve("reference/experiment_run");
  }

  @Test
  void killedThreeTimesResumesToTheSameWeights() throws Exception {
    Path output = dir.resolve("killed");
    Path results = output.resolve("experiment_run");
    // Kill the first run early, the second resume in the middle, the third near the end.
    killAfterCheckpoint(train(output, null), results, 2);
    killAfterCheckpoint(train(output, results), results, 6);
    killAfterCheckpoint(train(output, results), results, 11);
    Process last = train(output, results);
    assertEquals(0, last.waitFor(), "the last resume failed; see " + output + ".log");
    assertSameAsReference(results);
  }

  @Test
  void damagedCheckpointFallsBackToThePreviousOne() throws Exception {
    Path output = dir.resolve("damaged");
    Path results = output.resolve("experiment_run");
    killAfterCheckpoint(train(output, null), results, 6);
    List<Path> checkpoints = new Checkpoints(results).checkpoints();
    assertTrue(checkpoints.size() >= 2, "checkpoints: " + checkpoints);
    Path newest = checkpoints.getFirst().resolve("state.safetensors");
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length - 3] ^= 0x55; // a flipped weight byte: only the checksum can tell
    Files.write(newest, bytes);
    Process resumed = train(output, results);
    assertEquals(0, resumed.waitFor(), "the resume failed; see " + output + ".log");
    String log = Files.readString(Path.of(output + ".log"));
    assertTrue(log.contains("is damaged (state.safetensors fails its SHA-256)"), log);
    assertTrue(log.contains("resuming from " + checkpoints.get(1)), log);
    assertSameAsReference(results);
  }

  @Test
  void frozenEncoderWeightsAreWrittenOncePerRunNotAtEveryCheckpoint() throws IOException {
    long frozen = Files.size(reference.resolve(Checkpoints.FOLDER).resolve("frozen.safetensors"));
    assertTrue(frozen > 80_000_000, "the frozen MiniLM holds about 90 MB, frozen.safetensors " + frozen + " bytes");
    assertEquals(frozen, Files.size(reference.resolve("model/frozen_weights.safetensors")));
    // What a checkpoint and a best-model save write: the head and its optimizer state, a few kB.
    for (Path checkpoint : new Checkpoints(reference).checkpoints()) {
      long state = Files.size(checkpoint.resolve("state.safetensors"));
      assertTrue(state < 200_000, checkpoint + ": state.safetensors holds " + state + " bytes");
    }
    assertTrue(Files.size(reference.resolve("model/model_weights.safetensors")) < 200_000);
  }

  @Test
  void aDeletedFrozenFileIsRewrittenFromThePretrainedWeights() throws Exception {
    Path output = dir.resolve("frozen-deleted");
    Path results = output.resolve("experiment_run");
    killAfterCheckpoint(train(output, null), results, 3);
    Files.delete(results.resolve(Checkpoints.FOLDER).resolve("frozen.safetensors"));
    Process resumed = train(output, results);
    assertEquals(0, resumed.waitFor(), "the resume failed; see " + output + ".log");
    String log = Files.readString(Path.of(output + ".log"));
    assertTrue(log.contains("frozen.safetensors is missing; rewritten from the encoder's pretrained weights"), log);
    assertSameAsReference(results);
  }

  private static void assertSameAsReference(Path results) throws IOException {
    for (String file : SAME) {
      assertArrayEquals(Files.readAllBytes(reference.resolve(file)), Files.readAllBytes(results.resolve(file)),
          file + " differs from the uninterrupted run's");
    }
  }

  /** SIGKILL once at least `count` checkpoints have been written (wherever the process then is). */
  private static void killAfterCheckpoint(Process run, Path results, int count) throws Exception {
    Path folder = results.resolve(Checkpoints.FOLDER);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (run.isAlive() && System.nanoTime() < deadline && highestStep(folder) < 2L * count) Thread.sleep(5);
    assertTrue(run.isAlive(), "the run ended before checkpoint " + count + "; see its log");
    run.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing
    run.waitFor();
  }

  private static long highestStep(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) return 0;
    try (var entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("checkpoint-\\d+"))
          .mapToLong(n -> Long.parseLong(n.substring("checkpoint-".length()))).max().orElse(0);
    }
  }

  /** `fidelio train` in a fresh JVM, appending its output to OUTPUT.log. */
  private static Process train(Path output, Path resumeFrom) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        "-D" + NativeLibrary.PATH_PROPERTY + "=" + System.getProperty(NativeLibrary.PATH_PROPERTY),
        "dev.fidelio.cli.FidelioCli", "train", "--config", config.toString(), "--dataset", data.toString(),
        "--output_directory", output.toString(), "--random_seed", "11"));
    if (resumeFrom != null) command.addAll(List.of("--model_resume_path", resumeFrom.toString()));
    Path log = Path.of(output + ".log");
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
