package dev.fidelio.train;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fidelio.model.EcdModel;
import dev.fidelio.model.NativeModule.StatePart;
import dev.fidelio.model.StateFiles;
import dev.fidelio.runtime.NativeRuntime;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.util.Digests;
import dev.fidelio.util.JsonFiles;
import dev.fidelio.util.Log;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * training_checkpoints/ in the results folder: everything a run needs to resume exactly, taken at
 * each evaluation. A checkpoint is a folder checkpoint-STEP holding state.safetensors (the model's
 * trained parameters and buffers, the optimizer's state, the CPU generator), progress.json (step,
 * best metric, early-stop and plateau counters, statistics so far) and manifest.json (SHA-256 of
 * both, and of frozen.safetensors). The parameters that never train (a frozen encoder's) are
 * written once per run, to training_checkpoints/frozen.safetensors, which every checkpoint of the
 * run names by digest. A checkpoint is written under a temporary name, synced, and renamed: a crash
 * leaves either the whole checkpoint or none. Reading verifies the checksums and falls back to the
 * previous checkpoint when one does not match.
 */
final class Checkpoints {
  static final String FOLDER = "training_checkpoints";
  private static final String STATE = "state.safetensors";
  private static final String PROGRESS = "progress.json";
  private static final String MANIFEST = "manifest.json";
  private static final String FROZEN = "frozen.safetensors";
  private static final String PREFIX = "checkpoint-";
  /** The latest and one before it, in case the latest is damaged after its rename. */
  private static final int KEEP = 2;

  private final Path root;
  // The SHA-256 of frozen.safetensors as this run wrote or verified it; "" for a model with no frozen parameters.
  private String frozenDigest;

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
      if (frozenDigest == null) frozenDigest = writeFrozen(model);
      SafetensorsWriter.write(temporary.resolve(STATE), snapshot(model), Map.of("format", "pt"));
      JsonFiles.write(temporary.resolve(PROGRESS), progress.toJson());
      Map<String, String> manifest = new LinkedHashMap<>();
      for (String file : List.of(STATE, PROGRESS)) manifest.put(file, Digests.sha256(temporary.resolve(file)));
      if (!frozenDigest.isEmpty()) manifest.put(FROZEN, frozenDigest);
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

  /** Writes frozen.safetensors (synced) and returns its digest; "" and no file when nothing is frozen. */
  private String writeFrozen(EcdModel model) throws IOException {
    Path file = root.resolve(FROZEN);
    if (!StateFiles.write(file, model, StatePart.FROZEN)) return "";
    sync(file);
    sync(root);
    return Digests.sha256(file);
  }

  /**
   * Loads the newest intact checkpoint into model (weights, optimizer, generator) and returns its
   * progress; empty when there is none. Damaged checkpoints are reported and skipped.
   */
  Optional<TrainingProgress> restoreLatest(EcdModel model) {
    for (Path checkpoint : checkpoints()) {
      Map<String, String> manifest = Map.of();
      Optional<String> problem;
      try {
        manifest = JsonFiles.MAPPER.readValue(checkpoint.resolve(MANIFEST).toFile(), new TypeReference<>() {});
        problem = verify(checkpoint, manifest, model);
      } catch (IOException | RuntimeException e) {
        problem = Optional.of("cannot read " + MANIFEST + ": " + e.getMessage());
      }
      if (problem.isPresent()) {
        Log.warn("checkpoint " + checkpoint + " is damaged (" + problem.get() + "); trying the previous one");
        continue;
      }
      restore(model, SafetensorsReader.read(checkpoint.resolve(STATE)).tensors(),
          manifest.containsKey(FROZEN) ? root.resolve(FROZEN) : null);
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

  private Optional<String> verify(Path checkpoint, Map<String, String> manifest, EcdModel model) {
    try {
      for (String file : List.of(STATE, PROGRESS)) {
        String expected = manifest.get(file);
        if (expected == null) return Optional.of(MANIFEST + " lists no " + file);
        if (!Files.exists(checkpoint.resolve(file))) return Optional.of(file + " is missing");
        if (!expected.equals(Digests.sha256(checkpoint.resolve(file)))) return Optional.of(file + " fails its SHA-256");
      }
      String frozen = manifest.get(FROZEN);
      if (frozen != null && !frozen.equals(frozenDigest)) {
        Path file = root.resolve(FROZEN);
        if (!Files.exists(file) || !frozen.equals(Digests.sha256(file))) {
          // The model was just built from the same pretrained weights: its frozen parameters, written
          // again, repair the file when they are the very bytes the checkpoint names.
          String problem = file + (Files.exists(file) ? " fails the SHA-256 the checkpoint names" : " is missing");
          if (!frozen.equals(writeFrozen(model))) return Optional.of(problem);
          Log.warn(problem + "; rewritten from the encoder's pretrained weights, which match it");
        }
        frozenDigest = frozen;  // verified once: the next save of this run need not write it again
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("cannot check it: " + e.getMessage());
    }
  }

  private static StateDict snapshot(EcdModel model) {
    List<NamedTensor> tensors = new ArrayList<>(StateFiles.float32("model.", model, StatePart.CHANGING));
    Map<String, Tensor> optimizer = model.optimizerState();
    try (Tensor rng = NativeRuntime.rngState()) {
      tensors.addAll(StateFiles.float32("optimizer.", optimizer));
      tensors.addAll(StateFiles.float32("rng.", Map.of("cpu", rng)));
    } finally {
      optimizer.values().forEach(Tensor::close);
    }
    return new StateDict(tensors);
  }

  private static void restore(EcdModel model, StateDict state, Path frozen) {
    Map<String, Tensor> weights = StateFiles.tensors(state, "model.");
    try {
      if (frozen != null) weights.putAll(StateFiles.read(frozen, ""));
      for (NamedTensor t : state) {
        if (!t.name().startsWith("optimizer.")) continue;
        try (Tensor value = Tensor.of(t.data(), t.shape())) {
          model.setOptimizerState(t.name().substring("optimizer.".length()), value);
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
