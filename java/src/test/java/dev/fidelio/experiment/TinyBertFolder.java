package dev.fidelio.experiment;

import dev.fidelio.weights.BertConfig;
import dev.fidelio.weights.BertKeys;
import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.OnnxBertWeights;
import dev.fidelio.weights.SafetensorsWriter;
import dev.fidelio.weights.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small BERT checkpoint folder (config.json, model.safetensors, and MiniLM's tokenizer.json, so
 * the vocabulary is real) with seeded random weights: fast enough for many runs in one test, and
 * rewritable with other weights under the same path.
 */
final class TinyBertFolder {
  static final BertConfig CONFIG = new BertConfig("bert", 30522, 16, 1, 2, 32, "gelu", 64, 2, 1e-12, 0.1, 0.1, 0);

  private TinyBertFolder() {}

  static Path write(Path folder, long weightsSeed) throws IOException {
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("config.json"), """
        {"model_type": "bert", "vocab_size": 30522, "hidden_size": 16, "num_hidden_layers": 1,
         "num_attention_heads": 2, "intermediate_size": 32, "hidden_act": "gelu", "max_position_embeddings": 64,
         "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0}
        """);
    Random random = new Random(weightsSeed);
    List<NamedTensor> tensors = new ArrayList<>();
    for (var entry : BertKeys.expectedShapes(CONFIG).entrySet()) {
      float[] values = new float[(int) NamedTensor.numel(entry.getValue())];
      boolean layerNormWeight = entry.getKey().endsWith("LayerNorm.weight");
      for (int i = 0; i < values.length; i++) {
        values[i] = layerNormWeight ? 1f : (float) (0.1 * random.nextGaussian());
      }
      tensors.add(new NamedTensor(entry.getKey(), entry.getValue(), values));
    }
    SafetensorsWriter.write(folder.resolve("model.safetensors"), new StateDict(tensors), Map.of());
    try (InputStream tokenizer = OnnxBertWeights.class.getClassLoader()
        .getResourceAsStream(OnnxBertWeights.BUNDLED_TOKENIZER_RESOURCE)) {
      Files.copy(tokenizer, folder.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
    }
    return folder;
  }
}
