package dev.fidelio.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import dev.fidelio.config.FcLayer;
import dev.fidelio.runtime.NativeStructs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behavioural half of the accepted-keys walk (config.AcceptedKeysTest): a small tabular model
 * trains deterministically, and setting each of these keys away from its default changes what the
 * run produces (the saved weights, the statistics or the predictions), so none is read and ignored.
 */
class KeysChangeTrainingTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  private static final String BASE = """
      input_features:
        - {name: n, type: number}
        - {name: c, type: category}
        - {name: b, type: binary}
      output_features:
        - {name: y, type: category}
        - {name: f, type: binary}
        - {name: v, type: number}
      combiner: {type: concat, num_fc_layers: 1, output_size: 8}
      trainer: {epochs: 3, batch_size: 16, learning_rate: 0.01, early_stop: -1}
      """;

  /** Each key and a YAML fragment merged over BASE that sets it away from its default. */
  static final Map<String, String> CHANGES = new LinkedHashMap<>();

  static {
    CHANGES.put("preprocessing.sample_ratio", "preprocessing: {sample_ratio: 0.5}");
    CHANGES.put("preprocessing.sample_size", "preprocessing: {sample_size: 100}");
    CHANGES.put("preprocessing.split.probabilities", "preprocessing: {split: {probabilities: [0.5, 0.25, 0.25]}}");
    CHANGES.put("input_features[].preprocessing.fill_value (number)",
        "input_features: [{name: n, type: number, preprocessing: {fill_value: 5}}]");
    CHANGES.put("input_features[].preprocessing.normalization",
        "input_features: [{name: n, type: number, preprocessing: {normalization: minmax}}]");
    CHANGES.put("input_features[].preprocessing.most_common",
        "input_features: [{}, {name: c, type: category, preprocessing: {most_common: 1}}]");
    CHANGES.put("input_features[].preprocessing.lowercase (category)",
        "input_features: [{}, {name: c, type: category, preprocessing: {lowercase: true}}]");
    CHANGES.put("input_features[].encoder.embedding_size",
        "input_features: [{}, {name: c, type: category, encoder: {embedding_size: 2}}]");
    CHANGES.put("input_features[].encoder.embeddings_trainable",
        "input_features: [{}, {name: c, type: category, encoder: {embeddings_trainable: false}}]");
    CHANGES.put("input_features[].encoder.type (category onehot)",
        "input_features: [{}, {name: c, type: category, encoder: {type: onehot}}]");
    CHANGES.put("input_features[].encoder.dropout", "input_features: [{}, {name: c, type: category, encoder: {dropout: 0.5}}]");
    CHANGES.put("input_features[].encoder.output_size",
        "input_features: [{name: n, type: number, encoder: {type: dense, output_size: 3}}]");
    CHANGES.put("input_features[].encoder.activation",
        "input_features: [{name: n, type: number, encoder: {type: dense, activation: tanh}}]");
    CHANGES.put("input_features[].encoder.norm",
        "input_features: [{name: n, type: number, encoder: {type: dense, norm: layer}}]");
    CHANGES.put("input_features[].encoder.num_layers",
        "input_features: [{name: n, type: number, encoder: {type: dense, num_layers: 2}}]");
    CHANGES.put("input_features[].preprocessing.missing_value_strategy (binary)",
        "input_features: [{}, {}, {name: b, type: binary, preprocessing: {missing_value_strategy: fill_with_true}}]");
    CHANGES.put("output_features[].top_k", "output_features: [{name: y, type: category, top_k: 1}]");
    CHANGES.put("output_features[].loss.class_weights",
        "output_features: [{name: y, type: category, loss: {class_weights: [1, 1, 5, 1]}}]");
    CHANGES.put("output_features[].loss.weight", "output_features: [{name: y, type: category, loss: {weight: 3}}]");
    CHANGES.put("output_features[].threshold", "output_features: [{}, {name: f, type: binary, threshold: 0.9}]");
    CHANGES.put("output_features[].loss.positive_class_weight",
        "output_features: [{}, {name: f, type: binary, loss: {positive_class_weight: 5}}]");
    CHANGES.put("output_features[].loss.type (number)",
        "output_features: [{}, {}, {name: v, type: number, loss: {type: mean_absolute_error}}]");
    for (String type : List.of("mean_absolute_percentage_error", "root_mean_squared_percentage_error", "huber")) {
      CHANGES.put("output_features[].loss.type (number " + type + ")",
          "output_features: [{}, {}, {name: v, type: number, loss: {type: " + type + "}}]");
    }
    CHANGES.put("output_features[].loss.type (category corn)",
        "output_features: [{name: y, type: category, loss: {type: corn}}]");
    CHANGES.put("output_features[].loss.confidence_penalty (binary)",
        "output_features: [{}, {name: f, type: binary, loss: {confidence_penalty: 0.5}}]");
    CHANGES.put("output_features[].decoder.num_fc_layers",
        "output_features: [{name: y, type: category, decoder: {num_fc_layers: 1, fc_output_size: 4}}]");
    CHANGES.put("combiner.dropout", "combiner: {dropout: 0.5}");
    CHANGES.put("combiner.activation", "combiner: {activation: tanh}");
    CHANGES.put("combiner.use_bias", "combiner: {use_bias: false}");
    CHANGES.put("combiner.bias_initializer", "combiner: {bias_initializer: ones}");
    CHANGES.put("combiner.output_size", "combiner: {output_size: 4}");
    CHANGES.put("combiner.norm", "combiner: {norm: layer}");
    CHANGES.put("combiner.norm_params", "combiner: {norm: batch, norm_params: {momentum: 0.9}}");
    CHANGES.put("combiner.residual", "combiner: {fc_layers: [{output_size: 8}, {output_size: 8}], residual: true}");
    CHANGES.put("trainer.epochs", "trainer: {epochs: 2}");
    CHANGES.put("trainer.train_steps", "trainer: {train_steps: 10}");
    CHANGES.put("trainer.batch_size", "trainer: {batch_size: 8}");
    CHANGES.put("trainer.learning_rate", "trainer: {learning_rate: 0.05}");
    CHANGES.put("trainer.should_shuffle", "trainer: {should_shuffle: false}");
    CHANGES.put("trainer.gradient_accumulation_steps", "trainer: {gradient_accumulation_steps: 2}");
    CHANGES.put("trainer.evaluate_training_set", "trainer: {evaluate_training_set: true}");
    CHANGES.put("trainer.regularization_lambda", "trainer: {regularization_lambda: 0.1}");
    CHANGES.put("trainer.regularization_type (l1)", "trainer: {regularization_type: l1, regularization_lambda: 0.1}");
    CHANGES.put("trainer.layers_to_freeze_regex", "trainer: {layers_to_freeze_regex: '^combiner\\.'}");
    CHANGES.put("trainer.use_mixed_precision", "trainer: {use_mixed_precision: true}");
    CHANGES.put("trainer.eval_steps", "trainer: {eval_steps: 1, eval_batch_size: 8}");
    CHANGES.put("trainer.gradient_clipping.clipglobalnorm", "trainer: {gradient_clipping: {clipglobalnorm: 0.01}}");
    CHANGES.put("trainer.gradient_clipping.clipnorm", "trainer: {gradient_clipping: {clipnorm: 0.01}}");
    CHANGES.put("trainer.gradient_clipping.clipvalue", "trainer: {gradient_clipping: {clipvalue: 0.001}}");
    CHANGES.put("trainer.optimizer.betas", "trainer: {optimizer: {type: adam, betas: [0.5, 0.9]}}");
    CHANGES.put("trainer.optimizer.eps", "trainer: {optimizer: {type: adam, eps: 0.1}}");
    CHANGES.put("trainer.optimizer.weight_decay", "trainer: {optimizer: {type: adam, weight_decay: 0.5}}");
    CHANGES.put("trainer.optimizer.momentum", "trainer: {optimizer: {type: sgd, momentum: 0.9}}");
    CHANGES.put("trainer.learning_rate_scheduler.decay", "trainer: {learning_rate_scheduler: {decay: linear}}");
    CHANGES.put("trainer.learning_rate_scheduler.warmup_fraction", "trainer: {learning_rate_scheduler: {warmup_fraction: 0.5}}");
    CHANGES.put("trainer.learning_rate_scheduler.decay_rate",
        "trainer: {learning_rate_scheduler: {decay: exponential, decay_rate: 0.5, decay_steps: 5}}");
  }

  private static Path data(Path dir) throws Exception {
    Random random = new Random(12);
    List<String> lines = new ArrayList<>(List.of("n,c,b,y,f,v"));
    String[] kinds = {"p", "q", "r", "P"};
    for (int i = 0; i < 200; i++) {
      double n = random.nextGaussian();
      String c = kinds[random.nextInt(kinds.length)];
      boolean b = random.nextBoolean();
      String y = n > 0.5 ? "hi" : n < -0.5 ? "lo" : c.equalsIgnoreCase("p") ? "mid" : "other";
      lines.add(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%f", i % 17 == 0 ? "" : String.format(Locale.ROOT, "%f", n),
          c, i % 13 == 0 ? "" : b ? "yes" : "no", y, n + (b ? 1 : 0) > 0.3, 3 * n + (b ? 2 : 0) + 10));
    }
    Path csv = dir.resolve("data.csv");
    Files.write(csv, lines);
    return csv;
  }

  /** Everything a run produces that depends on training: weights, statistics, predictions. */
  private static byte[] outcome(Path dir, Path data, String change) throws Exception {
    Files.createDirectories(dir);
    ObjectNode config = (ObjectNode) YAML.readTree(BASE);
    if (change != null) merge(config, YAML.readTree(change));
    Path file = dir.resolve("config.yaml");
    YAML.writeValue(file.toFile(), config);
    Path results = Experiment.run(file, data, new Experiment.Settings(dir.resolve("results"), "k", "run", 42), true);
    var out = new ByteArrayOutputStream();
    for (String name : List.of("model/model_weights.safetensors", "training_statistics.json", "test_statistics.json",
        "predictions.csv")) {
      out.write(Files.readAllBytes(results.resolve(name)));
    }
    return out.toByteArray();
  }

  /** Mappings merge key by key; list items merge by position (an empty mapping keeps the item). */
  private static void merge(JsonNode base, JsonNode change) {
    change.properties().forEach(e -> {
      JsonNode target = base.get(e.getKey());
      if (target != null && target.isObject() && e.getValue().isObject()) {
        merge(target, e.getValue());
      } else if (target != null && target.isArray() && e.getValue().isArray()) {
        for (int i = 0; i < e.getValue().size(); i++) {
          if (i < target.size()) {
            if (!e.getValue().get(i).isEmpty()) ((com.fasterxml.jackson.databind.node.ArrayNode) target).set(i, e.getValue().get(i));
          } else {
            ((com.fasterxml.jackson.databind.node.ArrayNode) target).add(e.getValue().get(i));
          }
        }
      } else {
        ((ObjectNode) base).set(e.getKey(), e.getValue());
      }
    });
  }

  @Test
  void everyKeyChangesWhatTrainingProduces(@TempDir Path dir) throws Exception {
    Path data = data(dir);
    byte[] baseline = outcome(dir.resolve("base"), data, null);
    assertArrayEquals(baseline, outcome(dir.resolve("again"), data, null), "the baseline run is deterministic");
    List<String> unchanged = new ArrayList<>();
    int i = 0;
    for (var change : CHANGES.entrySet()) {
      byte[] changed = outcome(dir.resolve("k" + i++), data, change.getValue());
      if (java.util.Arrays.equals(baseline, changed)) unchanged.add(change.getKey() + ": " + change.getValue());
    }
    assertTrue(unchanged.isEmpty(), "keys that changed nothing:\n" + String.join("\n", unchanged));
  }

  /**
   * Every option of a fully connected layer (a component of config.FcLayer, crossing to the native
   * layer as its fdl_fc_layer field) is among the changes above, set on the combiner's layers.
   */
  @Test
  void everyLayerOptionIsAmongTheChanges() {
    for (var option : FcLayer.class.getRecordComponents()) {
      String key = "combiner." + NativeStructs.snakeCase(option.getName());
      assertTrue(CHANGES.containsKey(key), "no change of " + key + " (a layer option) in CHANGES");
    }
  }

  /** delta only tunes huber, so both runs use it: Ludwig's default 1.0 against 0.1. */
  @Test
  void huberDeltaChangesWhatTrainingProduces(@TempDir Path dir) throws Exception {
    Path data = data(dir);
    String huber = "output_features: [{}, {}, {name: v, type: number, loss: {type: huber, delta: %s}}]";
    byte[] baseline = outcome(dir.resolve("base"), data, huber.formatted("1.0"));
    byte[] changed = outcome(dir.resolve("delta"), data, huber.formatted("0.1"));
    assertTrue(!java.util.Arrays.equals(baseline, changed), "huber delta changed nothing");
  }

  /** Reducing needs evaluations before the last steps: four per epoch, in both runs. */
  @Test
  void reduceOnPlateauChangesWhatTrainingProduces(@TempDir Path dir) throws Exception {
    Path data = data(dir);
    String often = "trainer: {checkpoints_per_epoch: 4, learning_rate_scheduler: {%s}}";
    byte[] baseline = outcome(dir.resolve("base"), data, often.formatted("reduce_on_plateau: 0"));
    byte[] reduced = outcome(dir.resolve("reduced"), data, often.formatted("reduce_on_plateau: 3, "
        + "reduce_on_plateau_patience: 0, reduce_on_plateau_rate: 0.1, reduce_eval_split: validation, "
        + "reduce_eval_metric: accuracy"));
    assertTrue(!java.util.Arrays.equals(baseline, reduced), "reduce_on_plateau changed nothing");
  }
}
