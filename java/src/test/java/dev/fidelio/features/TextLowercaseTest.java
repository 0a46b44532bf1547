package dev.fidelio.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.data.Table;
import dev.fidelio.runtime.Tensor;
import dev.fidelio.text.TextTokenizer;
import dev.fidelio.weights.OnnxBertWeights;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Text preprocessing.lowercase reaches the tokenizer: with a cased tokenizer (MiniLM's vocabulary,
 * its normalizer's lower-casing switched off), "HELLO World" tokenizes as "hello world" only when
 * lowercase is true, in every split and at prediction, which share Preprocessor.transform.
 */
class TextLowercaseTest {

  private static TextTokenizer casedTokenizer() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode tokenizer;
    try (InputStream in = OnnxBertWeights.class.getClassLoader()
        .getResourceAsStream(OnnxBertWeights.BUNDLED_TOKENIZER_RESOURCE)) {
      tokenizer = (ObjectNode) json.readTree(in);
    }
    ((ObjectNode) tokenizer.get("normalizer")).put("lowercase", false);
    return TextTokenizer.load(new ByteArrayInputStream(json.writeValueAsBytes(tokenizer)), "cased MiniLM", 16, 0);
  }

  private static long[] ids(TextTokenizer tokenizer, boolean lowercase, String text) {
    FidelioConfig config = FidelioConfig.parse("""
        input_features: [{name: t, type: text, preprocessing: {lowercase: %s}}]
        output_features: [{name: y, type: category}]
        """.formatted(lowercase));
    Table table = new Table("mem.csv", List.of("t", "y"), List.of(List.of(text, text), List.of("a", "b")));
    int[] rows = {0, 1};
    var text_ = Map.of("t", new TextMetadata("test", null, null, "t_tokenizer.json", 16, 0, "<UNK>"));
    TrainingSetMetadata metadata = Preprocessor.fit(config, table, rows, text_, 1);
    Dataset data = new Preprocessor(config, metadata, Map.of("t", tokenizer)).transform(table, rows, true, "training");
    List<Tensor> tensors = data.inputTensors(new int[] {0});
    try {
      return tensors.getFirst().toLongArray();
    } finally {
      tensors.forEach(Tensor::close);
    }
  }

  @Test
  void lowercaseReachesTheTokenizer() throws Exception {
    try (TextTokenizer cased = casedTokenizer()) {
      long[] lower = ids(cased, false, "hello world");
      assertArrayEquals(lower, ids(cased, true, "HELLO World"), "lowercase: true tokenizes the lower-cased text");
      long[] kept = ids(cased, false, "HELLO World");
      assertFalse(Arrays.equals(lower, kept), "lowercase: false keeps the capitals: " + Arrays.toString(kept));
    }
  }
}
