package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each broken config must fail before any work with an error that names the path, the value found
 * and what is allowed. The cases start from a valid config and break one thing.
 */
class BrokenConfigTest {

  private static final String INPUTS = "input_features: [{name: review, type: text}]\n";
  private static final String OUTPUTS = "output_features: [{name: label, type: category}]\n";

  /** A valid config plus {@code extra} top-level YAML. */
  private static String with(String extra) {
    return INPUTS + OUTPUTS + extra;
  }

  static Stream<Arguments> brokenConfigs() {
    return Stream.of(
        // ---- structure ----
        broken("no input features", OUTPUTS, "input_features", "missing required key"),
        broken("empty output features", INPUTS + "output_features: []\n", "output_features",
                "empty list", "at least one output feature"),
        broken("feature list is a mapping", INPUTS + "output_features: {name: label, type: category}\n",
                "output_features", "expected a list of mappings"),
        broken("misspelled top-level key", with("trainr: {epochs: 3}\n"), "trainr",
                "unknown key 'trainr'", "did you mean 'trainer'?"),
        broken("unsupported model type", with("model_type: gbm\n"), "model_type",
                "'gbm'", "only 'ecd'", "not supported yet"),
        broken("defaults for an unsupported feature type", with("defaults: {audio: {encoder: {type: parallel_cnn}}}\n"),
                "defaults.audio", "'audio'", "does not support yet", "text, number, category"),
        broken("cosine restarts", with("trainer: {learning_rate_scheduler: {decay: cosine, t_0: 1000}}\n"),
                "trainer.learning_rate_scheduler.t_0", "cosine restarts are not supported", "remove t_0"),
        // ---- features ----
        broken("feature without name", "input_features: [{type: text}]\n" + OUTPUTS,
                "input_features[0].name", "missing required key 'name'"),
        broken("feature without type", "input_features: [{name: review}]\n" + OUTPUTS,
                "input_features[0].type", "missing required key 'type'", "text, number, category"),
        broken("misspelled feature type", "input_features: [{name: review, type: txt}]\n" + OUTPUTS,
                "input_features[0].type", "'txt'", "did you mean 'text'?"),
        broken("known but unsupported input type", "input_features: [{name: s, type: sequence}]\n" + OUTPUTS,
                "input_features[0].type", "'sequence'", "not support yet"),
        broken("text output", INPUTS + "output_features: [{name: summary, type: text}]\n",
                "output_features[0].type", "'text'", "not support yet", "category, binary, number"),
        broken("typo of an unsupported output type", INPUTS + "output_features: [{name: s, type: sequnce}]\n",
                "output_features[0].type", "'sequnce'", "did you mean 'sequence'?", "does not support yet"),
        broken("duplicate feature name across inputs and outputs",
                INPUTS + "output_features: [{name: review, type: category}]\n",
                "output_features[0].name", "duplicate feature name 'review'", "input_features[0]"),
        broken("misspelled encoder key", "input_features: [{name: review, type: text, encoder: {trainabel: true}}]\n"
                + OUTPUTS, "input_features[0].encoder.trainabel", "unknown key", "did you mean 'trainable'?"),
        broken("trainable is not a boolean", "input_features: [{name: review, type: text, encoder: {trainable: maybe}}]\n"
                + OUTPUTS, "input_features[0].encoder.trainable", "expected true or false", "'maybe'"),
        broken("auto_transformer without model", "input_features: [{name: review, type: text, encoder: {type: auto_transformer}}]\n"
                + OUTPUTS, "input_features[0].encoder.pretrained_model_name_or_path", "missing required key"),
        broken("unknown reduce_output", "input_features: [{name: review, type: text, encoder: {reduce_output: avrg}}]\n"
                + OUTPUTS, "input_features[0].encoder.reduce_output", "'avrg'",
                "cls_pooled, sum, mean, last, max, concat, attention, none"),
        broken("caching a trainable encoder", """
                input_features:
                  - name: review
                    type: text
                    encoder: {type: bert, trainable: true}
                    preprocessing: {cache_encoder_embeddings: true}
                """ + OUTPUTS, "input_features[0].preprocessing.cache_encoder_embeddings",
                "caching needs a frozen encoder", "trainable: false"),
        broken("max_sequence_length zero", "input_features: [{name: review, type: text, preprocessing: {max_sequence_length: 0}}]\n"
                + OUTPUTS, "input_features[0].preprocessing.max_sequence_length", ">= 1", "found 0"),
        broken("strategy not allowed for the type", "input_features: [{name: review, type: text, preprocessing: {missing_value_strategy: fill_with_mean}}]\n"
                + OUTPUTS, "input_features[0].preprocessing.missing_value_strategy", "'fill_with_mean'", "drop_row"),
        broken("binary has no fill_with_const", "input_features: [{name: b, type: binary, preprocessing: {missing_value_strategy: fill_with_const}}]\n"
                + OUTPUTS, "input_features[0].preprocessing.missing_value_strategy", "'fill_with_const'",
                "fill_with_false, fill_with_true"),
        broken("resnet variant", "input_features: [{name: photo, type: image, encoder: {type: resnet, model_variant: 42}}]\n"
                + OUTPUTS, "input_features[0].encoder.model_variant", "[18, 34, 50, 101, 152]", "found 42"),
        broken("image without encoder", "input_features: [{name: photo, type: image}]\n" + OUTPUTS,
                "input_features[0].encoder", "stacked_cnn", "type: resnet"),
        broken("category embedding_size as string", "input_features: [{name: c, type: category, encoder: {embedding_size: big}}]\n"
                + OUTPUTS, "input_features[0].encoder.embedding_size", "expected an integer", "'big' (a string)"),
        broken("threshold above one", INPUTS + "output_features: [{name: y, type: binary, threshold: 1.5}]\n",
                "output_features[0].threshold", "in [0, 1]", "found 1.5"),
        broken("negative class weight", INPUTS + "output_features: [{name: label, type: category, loss: {class_weights: [1.0, -2.0]}}]\n",
                "output_features[0].loss.class_weights[1]", ">= 0", "-2.0"),
        broken("class weights as a string", INPUTS + "output_features: [{name: label, type: category, loss: {class_weights: balanced}}]\n",
                "output_features[0].loss.class_weights", "'balanced'", "list of weights", "mapping"),
        broken("number loss for a category", INPUTS + "output_features: [{name: label, type: category, loss: {type: mean_squared_error}}]\n",
                "output_features[0].loss.type", "'mean_squared_error'", "softmax_cross_entropy"),
        broken("decoder key without fc_ prefix", INPUTS + "output_features: [{name: label, type: category, decoder: {output_size: 10}}]\n",
                "output_features[0].decoder.output_size", "did you mean 'fc_output_size'?"),
        // ---- combiner ----
        broken("unknown norm", with("combiner: {norm: group}\n"), "combiner.norm", "'group'",
                "batch, layer, ghost or null"),
        broken("dropout out of range", with("combiner: {dropout: 1.5}\n"), "combiner.dropout",
                "in [0, 1]", "1.5"),
        broken("fc layer with zero width", with("combiner: {fc_layers: [{output_size: 0}]}\n"),
                "combiner.fc_layers[0].output_size", ">= 1", "found 0"),
        broken("unsupported combiner", with("combiner: {type: tabnet}\n"), "combiner.type", "'tabnet'",
                "not support yet", "concat"),
        // ---- trainer ----
        broken("epochs zero", with("trainer: {epochs: 0}\n"), "trainer.epochs", ">= 1", "found 0"),
        broken("batch size word", with("trainer: {batch_size: large}\n"), "trainer.batch_size",
                "'auto' or an integer", "'large'"),
        broken("learning rate negative", with("trainer: {learning_rate: -0.1}\n"), "trainer.learning_rate",
                "'auto' or a number > 0", "-0.1"),
        broken("unknown optimizer", with("trainer: {optimizer: {type: adamm}}\n"), "trainer.optimizer.type",
                "'adamm'", "did you mean 'adam'?"),
        broken("betas of wrong length", with("trainer: {optimizer: {type: adamw, betas: [0.9]}}\n"),
                "trainer.optimizer.betas", "two numbers", "found 1"),
        broken("momentum under adam", with("trainer: {optimizer: {type: adam, momentum: 0.9}}\n"),
                "trainer.optimizer.momentum", "unknown key 'momentum'", "betas"),
        broken("warmup fraction above one", with("trainer: {learning_rate_scheduler: {warmup_fraction: 2}}\n"),
                "trainer.learning_rate_scheduler.warmup_fraction", "in [0, 1]", "2"),
        broken("unknown decay", with("trainer: {learning_rate_scheduler: {decay: cosin}}\n"),
                "trainer.learning_rate_scheduler.decay", "'cosin'", "did you mean 'cosine'?"),
        broken("validation field not a feature", with("trainer: {validation_field: lable}\n"),
                "trainer.validation_field", "'lable'", "did you mean 'label'?"),
        broken("metric of another type", with("trainer: {validation_metric: r2}\n"),
                "trainer.validation_metric", "'r2'", "no output feature", "validation_field"),
        broken("metric not of the named field", with("trainer: {validation_field: label, validation_metric: r2}\n"),
                "trainer.validation_metric", "'r2'", "accuracy"),
        broken("both checkpoint cadences", with("trainer: {checkpoints_per_epoch: 2, steps_per_checkpoint: 100}\n"),
                "trainer.steps_per_checkpoint", "only one"),
        broken("nesterov without momentum", with("trainer: {optimizer: {type: sgd, nesterov: true}}\n"),
                "trainer.optimizer.nesterov", "momentum > 0"),
        // ---- preprocessing and backend ----
        broken("split probabilities not summing to one",
                with("preprocessing: {split: {probabilities: [0.7, 0.2, 0.2]}}\n"),
                "preprocessing.split.probabilities", "sum to 1", "[0.7, 0.2, 0.2]"),
        broken("two split probabilities", with("preprocessing: {split: {probabilities: [0.8, 0.2]}}\n"),
                "preprocessing.split.probabilities", "three numbers"),
        broken("stratify without column", with("preprocessing: {split: {type: stratify}}\n"),
                "preprocessing.split.column", "missing required key 'column'"),
        broken("ray backend", with("backend: {type: ray}\n"), "backend.type", "'ray'", "not support yet",
                "local"),
        broken("horovod strategy", with("backend: {trainer: {strategy: horovod}}\n"),
                "backend.trainer.strategy", "'horovod'", "ddp", "deepspeed"),
        broken("no workers", with("backend: {trainer: {num_workers: 0}}\n"), "backend.trainer.num_workers"));
  }

  private static Arguments broken(String what, String yaml, String path, String... fragments) {
    return Arguments.of(what, yaml, path, List.of(fragments));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenConfigs")
  void errorNamesPathValueAndWhatIsAllowed(String what, String yaml, String path, List<String> fragments) {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(yaml));
    ConfigError error = e.errors().stream().filter(err -> err.path().equals(path)).findFirst()
            .orElseThrow(() -> new AssertionError("no error at " + path + " in:\n" + e.getMessage()));
    for (String fragment : fragments) {
      assertTrue(error.message().contains(fragment), () -> "'" + fragment + "' missing from: " + error);
    }
    assertTrue(e.getMessage().contains(path + ": "), "the exception message names the path");
  }

  @org.junit.jupiter.api.Test
  void allProblemsAreReportedAtOnce() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(with("""
            trainer: {epochs: -1, optimizer: {type: adamw, eps: -1}}
            combiner: {activaton: relu}
            """)));
    assertEquals(List.of("trainer.epochs", "trainer.optimizer.eps", "combiner.activaton"),
            e.errors().stream().map(ConfigError::path).sorted((a, b) -> order(a) - order(b)).toList(),
            e.getMessage());
    assertTrue(e.getMessage().startsWith("Invalid config (3 problems):"), e.getMessage());
  }

  private static int order(String path) {
    return List.of("trainer.epochs", "trainer.optimizer.eps", "combiner.activaton").indexOf(path);
  }

  @org.junit.jupiter.api.Test
  void yamlSyntaxErrorNamesLineAndColumn() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
            input_features:
              - name: review
                type: [text
            output_features: []
            """));
    assertTrue(e.getMessage().contains("YAML syntax error at line 4, column"), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void duplicateYamlKeyIsAnError() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(with("trainer: {epochs: 1}\ntrainer: {epochs: 2}\n")));
    assertTrue(e.getMessage().contains("Duplicate field 'trainer'"), e.getMessage());
    assertTrue(e.getMessage().contains("line 4"), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void emptyConfigSaysWhatIsNeeded() {
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse(""));
    assertTrue(e.getMessage().contains("input_features and output_features"), e.getMessage());
  }
}
