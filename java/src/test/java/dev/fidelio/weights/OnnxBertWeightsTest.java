package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled all-MiniLM-L6-v2 ONNX export read as HF BertModel weights. */
class OnnxBertWeightsTest {
  private static OnnxBertWeights.Result result;
  private static OnnxGraph graph;

  @BeforeAll
  static void load() throws IOException {
    result = OnnxBertWeights.readBundledAllMiniLmL6V2();
    try (InputStream in = OnnxBertWeightsTest.class.getClassLoader()
            .getResourceAsStream(OnnxBertWeights.BUNDLED_MODEL_RESOURCE)) {
      graph = OnnxGraph.parse(MemorySegment.ofArray(in.readAllBytes()), "test");
    }
  }

  @Test
  void keySetIsBertModelWithoutPooler() {
    // Written out independently of BertKeys: 5 embedding tensors + 16 per layer.
    Set<String> expected = new LinkedHashSet<>(List.of("embeddings.word_embeddings.weight",
            "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
    for (int l = 0; l < 6; l++) {
      for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value",
              "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense",
              "output.LayerNorm")) {
        expected.add("encoder.layer." + l + "." + m + ".weight");
        expected.add("encoder.layer." + l + "." + m + ".bias");
      }
    }
    assertEquals(101, expected.size());
    assertEquals(expected, new LinkedHashSet<>(result.weights().names()));
    assertFalse(result.weights().names().stream().anyMatch(BertKeys::isPooler));
  }

  @Test
  void shapesArePyTorchLayout() {
    Map<String, List<Long>> s = result.weights().shapes();
    assertEquals(List.of(30522L, 384L), s.get("embeddings.word_embeddings.weight"));
    assertEquals(List.of(512L, 384L), s.get("embeddings.position_embeddings.weight"));
    assertEquals(List.of(2L, 384L), s.get("embeddings.token_type_embeddings.weight"));
    assertEquals(List.of(384L, 384L), s.get("encoder.layer.3.attention.self.query.weight"));
    assertEquals(List.of(1536L, 384L), s.get("encoder.layer.0.intermediate.dense.weight")); // [out, in]
    assertEquals(List.of(384L, 1536L), s.get("encoder.layer.5.output.dense.weight"));
    assertEquals(List.of(1536L), s.get("encoder.layer.0.intermediate.dense.bias"));
    // Every shape agrees with what the config implies.
    BertKeys.expectedShapes(result.config()).forEach((k, shape) -> {
      if (!BertKeys.isPooler(k)) assertArrayEquals(shape, result.weights().require(k).shape(), k);
    });
    assertEquals(BertConfig.allMiniLmL6V2(), result.config());
    assertEquals(22_565_376L, result.weights().parameterCount()); // 22.7M params minus the 147,840 of the pooler
  }

  @Test
  void queryWeightIsTransposeOfItsMatMulInitializer() {
    OnnxGraph.Node node = graph.nodes().stream()
            .filter(n -> n.name().equals("/encoder/layer.2/attention/self/query/MatMul")).findFirst().orElseThrow();
    String initName = node.inputs().stream().filter(i -> i.startsWith("onnx::MatMul_")).findFirst().orElseThrow();
    OnnxGraph.Initializer init = graph.initializers().stream()
            .filter(i -> i.name().equals(initName)).findFirst().orElseThrow();
    NamedTensor stored = init.toTensor(initName, "test"); // [in, out]
    NamedTensor query = result.weights().require("encoder.layer.2.attention.self.query.weight"); // [out, in]
    int h = 384;
    float[] a = stored.data(), b = query.data();
    for (int out = 0; out < h; out++) {
      for (int in = 0; in < h; in++) {
        if (a[in * h + out] != b[out * h + in]) {
          throw new AssertionError("query[" + out + "][" + in + "] is not the MatMul initializer's [" + in + "][" + out + "]");
        }
      }
    }
    // Guard against a symmetric-looking accident: the matrix itself is not symmetric.
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void layerNormParametersLookTrained() {
    float[] gamma = result.weights().require("embeddings.LayerNorm.weight").data();
    assertTrue(Arrays.stream(box(gamma)).anyMatch(v -> v != 1f), "LayerNorm weight should not be all ones");
  }

  @Test
  void configThatDisagreesWithTheWeightsIsRejected() throws IOException {
    byte[] bytes;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(OnnxBertWeights.BUNDLED_MODEL_RESOURCE)) {
      bytes = in.readAllBytes();
    }
    BertConfig wrong = new BertConfig("bert", 30522, 384, 12, 12, 1536, "gelu", 512, 2, 1e-12, 0.1, 0.1, 0);
    WeightsException e = assertThrows(WeightsException.class,
            () -> OnnxBertWeights.fromBytes(MemorySegment.ofArray(bytes), "x.onnx", wrong));
    assertTrue(e.getMessage().contains("num_hidden_layers: weights say 6, config says 12"), e.getMessage());
  }

  @Test
  void truncatedOnnxIsReportedAsCorrupt() throws IOException {
    byte[] bytes;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(OnnxBertWeights.BUNDLED_MODEL_RESOURCE)) {
      bytes = in.readNBytes(1_000_000);
    }
    WeightsException e = assertThrows(WeightsException.class,
            () -> OnnxBertWeights.fromBytes(MemorySegment.ofArray(bytes), "cut.onnx", BertConfig.allMiniLmL6V2()));
    assertTrue(e.getMessage().contains("cut.onnx") && e.getMessage().contains("truncated"), e.getMessage());
  }

  private static Float[] box(float[] a) {
    Float[] b = new Float[a.length];
    for (int i = 0; i < a.length; i++) b[i] = a[i];
    return b;
  }
}
