package dev.fidelio.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a Hugging Face model folder (a {@code save_pretrained} output or a hub snapshot):
 * {@code config.json}, weights as {@code model.safetensors} (or shards listed in
 * {@code model.safetensors.index.json}, or an ONNX export in {@code model.onnx}/{@code onnx/model.onnx}),
 * and {@code tokenizer.json} if present. PyTorch pickles are refused: reading them safely needs
 * Python, and safetensors is what the hub serves for nearly every BERT today.
 */
final class CheckpointDirectory {
  private CheckpointDirectory() {}

  static PretrainedBert load(Path dir, String requested, String how) {
    Path configJson = dir.resolve("config.json");
    if (!Files.isRegularFile(configJson)) {
      throw new WeightsException(how + " " + dir + " has no config.json; a Hugging Face model folder needs config.json "
              + "next to model.safetensors (save_pretrained writes both)");
    }
    BertConfig config = BertConfig.read(configJson);
    List<String> notes = new ArrayList<>();
    StateDict raw;
    String source;
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    Optional<Path> onnx = firstFile(dir.resolve("model.onnx"), dir.resolve("onnx").resolve("model.onnx"));
    if (Files.isRegularFile(single)) {
      source = single.toString();
      raw = readSafetensors(single, notes);
    } else if (Files.isRegularFile(index)) {
      source = index.toString();
      raw = readShards(dir, index, notes);
    } else if (onnx.isPresent()) {
      OnnxBertWeights.Result r = OnnxBertWeights.read(onnx.get(), config);
      notes.addAll(ignoredNotes(r.ignored()));
      return finish(requested, onnx.get().toString(), config, r.weights(), dir, notes);
    } else {
      throw new WeightsException(how + " " + dir + " has no model.safetensors" + otherFormats(dir)
              + ". Convert the checkpoint to safetensors on a machine with Python, e.g. "
              + "AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)");
    }
    BertKeys.Normalized normalized = BertKeys.normalize(raw);
    notes.addAll(ignoredNotes(normalized.ignored()));
    return finish(requested, source, config, normalized.weights(), dir, notes);
  }

  private static PretrainedBert finish(String requested, String source, BertConfig config, StateDict weights, Path dir,
          List<String> notes) {
    notes.addAll(BertKeys.check(weights, config, source));
    Path tok = dir.resolve("tokenizer.json");
    Optional<TokenizerJson> tokenizer = Files.isRegularFile(tok) ? Optional.of(TokenizerJson.ofFile(tok)) : Optional.empty();
    return new PretrainedBert(requested, source, config, BertKeys.inModelOrder(weights, config), tokenizer, List.copyOf(notes));
  }

  private static StateDict readSafetensors(Path file, List<String> notes) {
    SafetensorsReader.Contents c = SafetensorsReader.read(file);
    for (String s : c.skipped()) notes.add("skipped non-float tensor " + s + " in " + file);
    return c.tensors();
  }

  /** Large checkpoints are split; the index's weight_map names each shard. */
  private static StateDict readShards(Path dir, Path index, List<String> notes) {
    JsonNode map;
    try {
      map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
    } catch (IOException e) {
      throw new WeightsException("cannot read " + index + ": " + e.getMessage(), e);
    }
    if (!map.isObject()) throw new WeightsException(index + " has no weight_map object");
    Set<String> shards = new LinkedHashSet<>();
    map.properties().forEach(e -> shards.add(e.getValue().asText()));
    List<NamedTensor> all = new ArrayList<>();
    for (String shard : shards) {
      Path file = dir.resolve(shard).normalize();
      if (!file.startsWith(dir.normalize())) throw new WeightsException(index + " names a shard outside its folder: " + shard);
      readSafetensors(file, notes).forEach(all::add);
    }
    return new StateDict(all);
  }

  private static List<String> ignoredNotes(List<String> ignored) {
    return ignored.stream().map(s -> "ignored " + s).toList();
  }

  private static String otherFormats(Path dir) {
    List<String> found = new ArrayList<>();
    for (String name : List.of("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack", "model.ckpt.index")) {
      if (Files.exists(dir.resolve(name))) found.add(name);
    }
    return found.isEmpty() ? "" : " (only " + String.join(", ", found) + ", which Fidelio does not read)";
  }

  private static Optional<Path> firstFile(Path... candidates) {
    for (Path p : candidates) if (Files.isRegularFile(p)) return Optional.of(p);
    return Optional.empty();
  }
}
