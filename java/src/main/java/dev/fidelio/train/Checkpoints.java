package dev.fidelio.train;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fidelio.experiment.JsonFiles;
import dev.fidelio.experiment.Log;
import dev.fidelio.model.EcdModel;
import dev.fidelio.runtime.DType;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.SafetensorsReader;
import dev.fidelio.weights.SafetensorsWriter;
import dev.fidelio.weights.StateDict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * training_checkpoints/ in the results folder: everything a run needs to resume exactly, taken at
 * each evaluation. A checkpoint is a folder checkpoint-STEP holding state.safetensors (the model's
 * state, the optimizer's state, the CPU generator), progress.json (step, best metric, early-stop and
 * plateau counters, statistics so far) and manifest.json (SHA-256 of both). It is written under a
 * temporary name, synced, and renamed: a crash leaves either the whole checkpoint or none. Reading
 * verifies the checksums and falls back to the previous checkpoint when one does not match.
 */
final class Checkpoints {
  static final String FOLDER = "training_checkpoints";
  private static final String STATE = "state.safetensors";
  private static final String PROGRESS = "progress.json";
  private static final String MANIFEST = "manifest.json";
  private static final String PREFIX = "checkpoint-";
  /** The latest and one before it, in case the latest is damaged after its rename. */
  private static final int KEEP = 2;

  private final Path root;

  Checkpoints(Path resultsFolder) {
    this.root = resultsFolder.resolve(FOLDER);
  }

  /** Writes checkpoint-STEP atomically and drops checkpoints older than the last KEEP. */
  void save(EcdModel model, TrainingProgress progress) {
    Path target = root.resolve(PREFIX + progress.step());
    Path temporary = root.resolve(".tmp-" + PREFIX + progress.step());
    try {
      Files.createDirectories(root);
      deleteRecursively(temporary);
      Files.createDirectories(temporary);
      SafetensorsWriter.write(temporary.resolve(STATE), snapshot(model), Map.of("format", "pt"));
      JsonFiles.write(temporary.resolve(PROGRESS), progress.toJson());
      Map<String, String> manifest = new LinkedHashMap<>();
      for (String file : List.of(STATE, PROGRESS)) manifest.put(file, sha256(temporary.resolve(file)));
      JsonFiles.write(temporary.resolve(MANIFEST), manifest);
      for (String file : List.of(STATE, PROGRESS, MANIFEST)) sync(temporary.resolve(file));
      deleteRecursively(target);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      sync(root);
      List<Path> all = checkpoints();
      for (int i = KEEP; i < all.size(); i++) deleteRecursively(all.get(i));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads the newest intact checkpoint into model (weights, optimizer, generator) and returns its
   * progress; empty when there is none. Damaged checkpoints are reported and skipped.
   */
  Optional<TrainingProgress> restoreLatest(EcdModel model) {
    for (Path checkpoint : checkpoints()) {
      Optional<String> problem = verify(checkpoint);
      if (problem.isPresent()) {
        Log.warn("checkpoint " + checkpoint + " is damaged (" + problem.get() + "); trying the previous one");
        continue;
      }
      restore(model, SafetensorsReader.read(checkpoint.resolve(STATE)).tensors());
      try {
        Map<String, Object> json = JsonFiles.MAPPER.readValue(checkpoint.resolve(PROGRESS).toFile(),
            new TypeReference<>() {});
        Log.info("resuming from " + checkpoint);
        return Optional.of(TrainingProgress.fromJson(json));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + checkpoint.resolve(PROGRESS) + ": " + e.getMessage(), e);
      }
    }
    return Optional.empty();
  }

  /** Newest first. */
  List<Path> checkpoints() {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> entries = Files.list(root)) {
      return entries.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+"))
          .sorted(Comparator.comparingLong(Checkpoints::stepOf).reversed()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private static long stepOf(Path checkpoint) {
    return Long.parseLong(checkpoint.getFileName().toString().substring(PREFIX.length()));
  }

  private static Optional<String> verify(Path checkpoint) {
    try {
      Map<String, String> manifest = JsonFiles.MAPPER.readValue(checkpoint.resolve(MANIFEST).toFile(),
          new TypeReference<>() {});
      for (String file : List.of(STATE, PROGRESS)) {
        String expected = manifest.get(file);
        if (expected == null) return Optional.of(MANIFEST + " lists no " + file);
        if (!Files.exists(checkpoint.resolve(file))) return Optional.of(file + " is missing");
        if (!expected.equals(sha256(checkpoint.resolve(file)))) return Optional.of(file + " fails its SHA-256");
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("cannot read " + MANIFEST + ": " + e.getMessage());
    }
  }

  private static StateDict snapshot(EcdModel model) {
    List<NamedTensor> tensors = new ArrayList<>();
    add(tensors, "model.", model.stateDict());
    add(tensors, "optimizer.", model.optimizerState());
    try (Tensor rng = NativeRuntime.rngState()) {
      add(tensors, "rng.", Map.of("cpu", rng));
    }
    return new StateDict(tensors);
  }

  /** Copies the tensors as float32 (exact for the float32 weights, the step count and the generator's bytes). */
  private static void add(List<NamedTensor> out, String prefix, Map<String, Tensor> tensors) {
    try {
      for (var entry : tensors.entrySet()) {
        Tensor t = entry.getValue();
        try (Tensor f = t.dtype() == DType.FLOAT32 ? null : t.to(DType.FLOAT32)) {
          out.add(new NamedTensor(prefix + entry.getKey(), t.shape(), (f == null ? t : f).toFloatArray()));
        }
      }
    } finally {
      if (!prefix.equals("rng.")) tensors.values().forEach(Tensor::close);
    }
  }

  private static void restore(EcdModel model, StateDict state) {
    Map<String, Tensor> weights = new LinkedHashMap<>();
    try {
      for (NamedTensor t : state) {
        String name = t.name();
        if (name.startsWith("model.")) {
          weights.put(name.substring("model.".length()), Tensor.of(t.data(), t.shape()));
        } else if (name.startsWith("optimizer.")) {
          try (Tensor value = Tensor.of(t.data(), t.shape())) {
            model.setOptimizerState(name.substring("optimizer.".length()), value);
          }
        }
      }
      model.loadState(weights, List.of());
    } finally {
      weights.values().forEach(Tensor::close);
    }
    NamedTensor rng = state.require("rng.cpu");
    try (Tensor value = Tensor.of(rng.data(), rng.shape())) {
      NativeRuntime.setRngState(value);
    }
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0;) digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** fsync: the rename must not reach the disk before the data does. */
  private static void sync(Path path) throws IOException {
    try (FileChannel channel = Files.isDirectory(path) ? FileChannel.open(path, StandardOpenOption.READ)
        : FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) return;
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
