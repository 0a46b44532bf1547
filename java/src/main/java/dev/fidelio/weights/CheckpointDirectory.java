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
 * {@code config.json}, weights as the hub stores them ({@code model.safetensors}, shards listed in
 * {@code model.safetensors.index.json}, {@code pytorch_model.bin} or its shards, read by the restricted
 * pickle reader; a BERT's ONNX export in {@code model.onnx}/{@code onnx/model.onnx}), and
 * {@code tokenizer.json} if present. Half-precision weights are widened on reading.
 */
final class CheckpointDirectory {
  private CheckpointDirectory() {}

  static PretrainedEncoder load(Path dir, String requested, String how) {
    Path configJson = dir.resolve("config.json");
    if (!Files.isRegularFile(configJson)) {
      throw new WeightsException(how + " " + dir + " has no config.json; a Hugging Face model folder needs config.json "
              + "next to model.safetensors (save_pretrained writes both)");
    }
    TransformerConfig config = TransformerConfig.read(configJson);
    List<String> notes = new ArrayList<>();
    StateDict raw;
    String source;
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    Path pickle = dir.resolve("pytorch_model.bin");
    Path pickleIndex = dir.resolve("pytorch_model.bin.index.json");
    Optional<Path> onnx = firstFile(dir.resolve("model.onnx"), dir.resolve("onnx").resolve("model.onnx"));
    if (Files.isRegularFile(single)) {
      source = single.toString();
      raw = readSafetensors(single, notes);
    } else if (Files.isRegularFile(index)) {
      source = index.toString();
      raw = readShards(dir, index, file -> readSafetensors(file, notes));
    } else if (Files.isRegularFile(pickle)) {
      source = pickle.toString();
      raw = TorchCheckpointReader.read(pickle);
    } else if (Files.isRegularFile(pickleIndex)) {
      source = pickleIndex.toString();
      raw = readShards(dir, pickleIndex, TorchCheckpointReader::read);
    } else if (onnx.isPresent() && "bert".equals(config.modelType())) {
      OnnxBertWeights.Result r = OnnxBertWeights.read(onnx.get(), BertConfig.read(configJson));
      notes.addAll(ignoredNotes(r.ignored()));
      return finish(requested, onnx.get().toString(), config, r.weights(), dir, notes);
    } else {
      throw new WeightsException(how + " " + dir + " has no model.safetensors, model.safetensors.index.json, "
              + "pytorch_model.bin or pytorch_model.bin.index.json" + otherFormats(dir)
              + ". Convert the checkpoint on a machine with Python, e.g. "
              + "AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)");
    }
    CheckpointKeys.Normalized normalized = CheckpointKeys.normalize(raw, config);
    notes.addAll(normalized.notes());
    return finish(requested, source, config, normalized.weights(), dir, notes);
  }

  private static PretrainedEncoder finish(String requested, String source, TransformerConfig config, StateDict weights,
          Path dir, List<String> notes) {
    Path tok = dir.resolve("tokenizer.json");
    Optional<TokenizerJson> tokenizer = Files.isRegularFile(tok) ? Optional.of(TokenizerJson.ofFile(tok))
            : Optional.empty();
    if (tokenizer.isEmpty()) requireNoSlowTokenizer(dir);
    return new PretrainedEncoder(requested, source, config, weights, tokenizer, List.copyOf(notes));
  }

  private static StateDict readSafetensors(Path file, List<String> notes) {
    SafetensorsReader.Contents c = SafetensorsReader.read(file);
    for (String s : c.skipped()) notes.add("skipped non-float tensor " + s + " in " + file);
    return c.tensors();
  }

  /** Large checkpoints are split; the index's weight_map names each shard. */
  private static StateDict readShards(Path dir, Path index, java.util.function.Function<Path, StateDict> reader) {
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
      reader.apply(file).forEach(all::add);
    }
    return new StateDict(all);
  }

  /** Files of a Python-only ("slow") tokenizer; the tokenizers library Fidelio runs reads tokenizer.json alone. */
  private static final List<String> SLOW_TOKENIZER_FILES = List.of("spm.model", "sentencepiece.bpe.model",
          "vocab.json", "merges.txt", "vocab.txt", "tokenizer.model");

  private static void requireNoSlowTokenizer(Path dir) {
    List<String> found = SLOW_TOKENIZER_FILES.stream().filter(f -> Files.isRegularFile(dir.resolve(f))).toList();
    if (found.isEmpty()) return;
    throw new WeightsException(dir + " has no tokenizer.json, only " + String.join(", ", found) + ", which Fidelio "
            + "cannot read (it runs the Rust tokenizers library). Write tokenizer.json on a machine with Python: "
            + "AutoTokenizer.from_pretrained(dir).save_pretrained(dir)");
  }

  private static List<String> ignoredNotes(List<String> ignored) {
    return ignored.stream().map(s -> "ignored " + s).toList();
  }

  private static String otherFormats(Path dir) {
    List<String> found = new ArrayList<>();
    for (String name : List.of("tf_model.h5", "flax_model.msgpack", "model.ckpt.index", "model.onnx")) {
      if (Files.exists(dir.resolve(name))) found.add(name);
    }
    return found.isEmpty() ? "" : " (only " + String.join(", ", found) + ", which Fidelio does not read)";
  }

  private static Optional<Path> firstFile(Path... candidates) {
    for (Path p : candidates) if (Files.isRegularFile(p)) return Optional.of(p);
    return Optional.empty();
  }
}
