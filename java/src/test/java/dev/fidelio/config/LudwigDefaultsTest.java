package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ludwig 0.10's schema defaults, key by key, against Fidelio's rendered config. Each row cites the
 * file and line of ludwig-ai/ludwig at tag v0.10.4 (under ludwig/schema/ unless a path says
 * otherwise) where the default is written. Where Fidelio deliberately differs, the row is in
 * {@link #DIFFERENCES} with the reason, and the config reference (docs/config-reference.md) must name the key.
 */
class LudwigDefaultsTest {

  /** One feature of each supported type; encoders named where Fidelio's default type differs. */
  private static final String CONFIG = """
          input_features:
            - {name: t, type: text, encoder: {type: bert}}
            - {name: a, type: text, encoder: {type: auto_transformer, pretrained_model_name_or_path: m}}
            - {name: n, type: number}
            - {name: nd, type: number, encoder: {type: dense}}
            - {name: c, type: category}
            - {name: b, type: binary}
            - {name: i, type: image, encoder: {type: resnet}}
          output_features:
            - {name: oc, type: category}
            - {name: ob, type: binary}
            - {name: num_out, type: number}
            - {name: huber_out, type: number, loss: {type: huber}}
            - {name: mape_out, type: number, loss: {type: mean_absolute_percentage_error}}
            - {name: rmspe_out, type: number, loss: {type: root_mean_squared_percentage_error}}
            - {name: corn_out, type: category, loss: {type: corn}}
          """;

  record Row(String path, Object ludwig, String source) {}

  record Difference(String path, Object ludwig, Object fidelio, String source, String why) {}

  private static final String TEXT = "input_features[0].", AUTO = "input_features[1].", NUM = "input_features[2].",
          DENSE = "input_features[3].", CAT = "input_features[4].", BIN = "input_features[5].",
          IMG = "input_features[6].", OCAT = "output_features[0].", OBIN = "output_features[1].",
          ONUM = "output_features[2].", OHUBER = "output_features[3].", OMAPE = "output_features[4].",
          ORMSPE = "output_features[5].", OCORN = "output_features[6].";

  static final List<Row> LUDWIG = List.of(
      // text input: features/preprocessing/text.py, encoders/text_encoders.py (BERTConfig, AutoTransformerConfig)
      new Row(TEXT + "preprocessing.max_sequence_length", 256, "features/preprocessing/text.py:50-51"),
      new Row(TEXT + "preprocessing.lowercase", false, "features/preprocessing/text.py:91-92"),
      new Row(TEXT + "preprocessing.missing_value_strategy", "fill_with_const", "features/preprocessing/text.py:97-99"),
      new Row(TEXT + "preprocessing.fill_value", "<UNK>", "features/preprocessing/text.py:105-106; constants.py:128"),
      new Row(TEXT + "preprocessing.cache_encoder_embeddings", false, "features/preprocessing/text.py:129-130"),
      new Row(TEXT + "encoder.pretrained_model_name_or_path", "bert-base-uncased", "encoders/text_encoders.py:633-634"),
      new Row(TEXT + "encoder.use_pretrained", true, "encoders/text_encoders.py:626-627"),
      new Row(TEXT + "encoder.trainable", false, "encoders/text_encoders.py:646-647"),
      new Row(TEXT + "encoder.reduce_output", "cls_pooled", "encoders/text_encoders.py:654-655"),
      new Row(TEXT + "encoder.max_sequence_length", null, "encoders/text_encoders.py:619-620"),
      new Row(AUTO + "encoder.reduce_output", "sum", "encoders/text_encoders.py:3118-3119"),
      new Row(AUTO + "encoder.trainable", false, "encoders/text_encoders.py:3124-3125"),
      new Row(AUTO + "encoder.max_sequence_length", null, "encoders/text_encoders.py:3111-3112"),
      new Row(AUTO + "encoder.use_pretrained", true, "encoders/text_encoders.py:3093-3097 (a property, always true)"),
      // number input: features/number_feature.py, features/preprocessing/number.py, encoders/base.py
      new Row(NUM + "encoder.type", "passthrough", "features/number_feature.py:54-57"),
      new Row(NUM + "preprocessing.normalization", "zscore", "features/preprocessing/number.py:48-50"),
      new Row(NUM + "preprocessing.missing_value_strategy", "fill_with_const", "features/preprocessing/number.py:25-27"),
      new Row(NUM + "preprocessing.fill_value", 0.0, "features/preprocessing/number.py:33-34"),
      new Row(NUM + "preprocessing.outlier_strategy", null, "features/preprocessing/number.py:59-61"),
      new Row(NUM + "preprocessing.outlier_threshold", 3.0, "features/preprocessing/number.py:72-73"),
      new Row(DENSE + "encoder.output_size", 256, "encoders/base.py:82-83"),
      new Row(DENSE + "encoder.num_layers", 1, "encoders/base.py:102"),
      new Row(DENSE + "encoder.activation", "relu", "encoders/base.py:73; utils.py:259-260"),
      new Row(DENSE + "encoder.dropout", 0.0, "encoders/base.py:71; common_fields.py:10"),
      new Row(DENSE + "encoder.norm", null, "encoders/base.py:98; common_fields.py:65-66"),
      // category input: features/category_feature.py, encoders/category_encoders.py, features/preprocessing/category.py
      new Row(CAT + "encoder.type", "dense", "features/category_feature.py:62-65"),
      new Row(CAT + "encoder.embedding_size", 50, "encoders/category_encoders.py:52-53"),
      new Row(CAT + "encoder.embeddings_trainable", true, "encoders/category_encoders.py:64; common_fields.py:190-191"),
      new Row(CAT + "encoder.dropout", 0.0, "encoders/category_encoders.py:46; common_fields.py:10"),
      new Row(CAT + "preprocessing.missing_value_strategy", "fill_with_const", "features/preprocessing/category.py:21-23"),
      new Row(CAT + "preprocessing.fill_value", "<UNK>", "features/preprocessing/category.py:29-30"),
      new Row(CAT + "preprocessing.lowercase", false, "features/preprocessing/category.py:46-47"),
      new Row(CAT + "preprocessing.most_common", 10000, "features/preprocessing/category.py:52-53"),
      // binary input
      new Row(BIN + "encoder.type", "passthrough", "features/binary_feature.py:52-55"),
      new Row(BIN + "preprocessing.missing_value_strategy", "fill_with_false", "features/preprocessing/binary.py:28-30"),
      new Row(BIN + "preprocessing.fallback_true_label", null, "features/preprocessing/binary.py:36-37"),
      // image input: features/preprocessing/image.py, encoders/image/torchvision.py
      new Row(IMG + "preprocessing.missing_value_strategy", "bfill", "features/preprocessing/image.py:16-18"),
      new Row(IMG + "preprocessing.height", null, "features/preprocessing/image.py:40-41"),
      new Row(IMG + "preprocessing.width", null, "features/preprocessing/image.py:49-50"),
      new Row(IMG + "preprocessing.num_channels", null, "features/preprocessing/image.py:58-59"),
      new Row(IMG + "preprocessing.resize_method", "interpolate", "features/preprocessing/image.py:67-69"),
      new Row(IMG + "preprocessing.infer_image_num_channels", true, "features/preprocessing/image.py:75-76"),
      new Row(IMG + "preprocessing.infer_image_dimensions", true, "features/preprocessing/image.py:82-83"),
      new Row(IMG + "preprocessing.infer_image_max_height", 256, "features/preprocessing/image.py:91-92"),
      new Row(IMG + "preprocessing.infer_image_max_width", 256, "features/preprocessing/image.py:99-100"),
      new Row(IMG + "preprocessing.infer_image_sample_size", 100, "features/preprocessing/image.py:107-108"),
      new Row(IMG + "preprocessing.standardize_image", null, "features/preprocessing/image.py:114-116"),
      new Row(IMG + "encoder.model_variant", 50, "encoders/image/torchvision.py:245-247"),
      new Row(IMG + "encoder.use_pretrained", true, "encoders/image/torchvision.py:14-15"),
      new Row(IMG + "encoder.trainable", true, "encoders/image/torchvision.py:33-34"),
      new Row(IMG + "encoder.model_cache_dir", null, "encoders/image/torchvision.py:20-21"),
      // category output: features/category_feature.py, decoders/base.py, features/loss/loss.py
      new Row(OCAT + "top_k", 3, "features/category_feature.py:148-149"),
      new Row(OCAT + "calibration", false, "features/category_feature.py:114-115"),
      new Row(OCAT + "decoder.type", "classifier", "features/category_feature.py:161-164"),
      new Row(OCAT + "decoder.num_fc_layers", 0, "decoders/base.py:28; common_fields.py:41-42"),
      new Row(OCAT + "decoder.fc_output_size", 256, "decoders/base.py:32-33"),
      new Row(OCAT + "decoder.fc_use_bias", true, "decoders/base.py:38-39"),
      new Row(OCAT + "decoder.fc_norm", null, "decoders/base.py:78"),
      new Row(OCAT + "decoder.fc_activation", "relu", "decoders/base.py:82"),
      new Row(OCAT + "decoder.fc_dropout", 0.0, "decoders/base.py:84"),
      new Row(OCAT + "loss.type", "softmax_cross_entropy", "features/category_feature.py:100-102"),
      new Row(OCAT + "loss.class_weights", null, "features/loss/loss.py:263-264"),
      new Row(OCAT + "loss.robust_lambda", 0, "features/loss/loss.py:273-274"),
      new Row(OCAT + "loss.confidence_penalty", 0, "features/loss/loss.py:279-280"),
      new Row(OCAT + "loss.weight", 1.0, "features/loss/loss.py:298-299"),
      new Row(OCAT + "preprocessing.missing_value_strategy", "drop_row", "features/preprocessing/category.py:76-78"),
      // binary output
      new Row(OBIN + "threshold", 0.5, "features/binary_feature.py:137-138"),
      new Row(OBIN + "calibration", false, "features/binary_feature.py:103-104"),
      new Row(OBIN + "decoder.type", "regressor", "features/binary_feature.py:151-154"),
      new Row(OBIN + "loss.type", "binary_weighted_cross_entropy", "features/binary_feature.py:90-92"),
      new Row(OBIN + "loss.positive_class_weight", null, "features/loss/loss.py:224-225"),
      new Row(OBIN + "loss.robust_lambda", 0, "features/loss/loss.py:231-232"),
      new Row(OBIN + "loss.confidence_penalty", 0, "features/loss/loss.py:237-238"),
      new Row(OBIN + "loss.weight", 1.0, "features/loss/loss.py:243-244"),
      new Row(OBIN + "preprocessing.missing_value_strategy", "drop_row", "features/preprocessing/binary.py:74-76"),
      new Row(OBIN + "preprocessing.fallback_true_label", null, "features/preprocessing/binary.py:82-83"),
      // number output
      new Row(ONUM + "decoder.type", "regressor", "features/number_feature.py:149-152"),
      new Row(ONUM + "loss.type", "mean_squared_error", "features/number_feature.py:92-94"),
      new Row(ONUM + "loss.weight", 1.0, "features/loss/loss.py:124-125"),
      new Row(OHUBER + "loss.delta", 1.0, "features/loss/loss.py:427-428"),
      new Row(OHUBER + "loss.weight", 1.0, "features/loss/loss.py:434-435"),
      new Row(OMAPE + "loss.weight", 1.0, "features/loss/loss.py:164-165"),
      new Row(ORMSPE + "loss.weight", 1.0, "features/loss/loss.py:204-205"),
      new Row(OCORN + "loss.weight", 1.0, "features/loss/loss.py:462-463"),
      new Row(ONUM + "preprocessing.normalization", null, "features/preprocessing/number.py:108-110"),
      new Row(ONUM + "preprocessing.missing_value_strategy", "drop_row", "features/preprocessing/number.py:100-102"),
      // combiner: combiners/utils.py, combiners/concat.py
      new Row("combiner.type", "concat", "combiners/utils.py:11"),
      new Row("combiner.dropout", 0.0, "combiners/concat.py:23; common_fields.py:10"),
      new Row("combiner.activation", "relu", "combiners/concat.py:25"),
      new Row("combiner.flatten_inputs", false, "combiners/concat.py:27-28"),
      new Row("combiner.residual", false, "combiners/concat.py:33; common_fields.py:26-35"),
      new Row("combiner.use_bias", true, "combiners/concat.py:35-36"),
      new Row("combiner.num_fc_layers", 0, "combiners/concat.py:45; common_fields.py:41-42"),
      new Row("combiner.output_size", 256, "combiners/concat.py:47-48"),
      new Row("combiner.norm", null, "combiners/concat.py:53"),
      new Row("combiner.norm_params", null, "combiners/concat.py:55"),
      new Row("combiner.fc_layers", null, "combiners/concat.py:57"),
      // trainer: trainer.py (ECDTrainerConfig), optimizers.py, lr_scheduler.py
      new Row("trainer.epochs", 100, "trainer.py:194-195"),
      new Row("trainer.train_steps", null, "trainer.py:209-210"),
      new Row("trainer.eval_steps", null, "trainer.py:219-220"),
      new Row("trainer.batch_size", "auto", "trainer.py:254-255"),
      new Row("trainer.eval_batch_size", null, "trainer.py:301-302"),
      new Row("trainer.learning_rate", 0.001, "trainer.py:174-175"),
      new Row("trainer.learning_rate_scaling", "linear", "trainer.py:416-418"),
      new Row("trainer.early_stop", 5, "trainer.py:291-292"),
      new Row("trainer.checkpoints_per_epoch", 0, "trainer.py:200-201"),
      new Row("trainer.steps_per_checkpoint", 0, "trainer.py:226-227"),
      new Row("trainer.effective_batch_size", "auto", "trainer.py:235-236"),
      new Row("trainer.gradient_accumulation_steps", "auto", "trainer.py:280-281"),
      new Row("trainer.evaluate_training_set", false, "trainer.py:316-317"),
      new Row("trainer.skip_all_evaluation", false, "trainer.py:99-100"),
      new Row("trainer.regularization_type", "l2", "trainer.py:360-361"),
      new Row("trainer.regularization_lambda", 0.0, "trainer.py:367-368"),
      new Row("trainer.should_shuffle", true, "trainer.py:375-376"),
      new Row("trainer.increase_batch_size_on_plateau", 0, "trainer.py:381-382"),
      new Row("trainer.increase_batch_size_on_plateau_patience", 5, "trainer.py:387-388"),
      new Row("trainer.increase_batch_size_on_plateau_rate", 2.0, "trainer.py:393-394"),
      new Row("trainer.increase_batch_size_eval_metric", "loss", "trainer.py:399-400"),
      new Row("trainer.increase_batch_size_eval_split", "training", "trainer.py:405-406"),
      new Row("trainer.use_mixed_precision", false, "trainer.py:437-438"),
      new Row("trainer.compile", false, "trainer.py:443-444"),
      new Row("trainer.enable_gradient_checkpointing", false, "trainer.py:449-450"),
      new Row("trainer.layers_to_freeze_regex", null, "trainer.py:456-457"),
      new Row("trainer.validation_field", "oc", "model_types/utils.py:107-110 (the first output feature)"),
      new Row("trainer.validation_metric", "accuracy",
              "model_types/utils.py:156-159; features/category_feature.py:120-122"),
      new Row("trainer.optimizer.type", "adam", "trainer.py:351-352"),
      new Row("trainer.optimizer.betas", List.of(0.9, 0.999), "optimizers.py:197-198"),
      new Row("trainer.optimizer.eps", 1e-8, "optimizers.py:203-204"),
      new Row("trainer.optimizer.weight_decay", 0.0, "optimizers.py:209-210"),
      new Row("trainer.optimizer.amsgrad", false, "optimizers.py:213-214"),
      new Row("trainer.gradient_clipping.clipglobalnorm", 0.5, "optimizers.py:915-916"),
      new Row("trainer.gradient_clipping.clipnorm", null, "optimizers.py:923-924"),
      new Row("trainer.gradient_clipping.clipvalue", null, "optimizers.py:930-931"),
      new Row("trainer.learning_rate_scheduler.decay", null, "lr_scheduler.py:19-21"),
      new Row("trainer.learning_rate_scheduler.decay_rate", 0.96, "lr_scheduler.py:27-28"),
      new Row("trainer.learning_rate_scheduler.decay_steps", 10000, "lr_scheduler.py:35-36"),
      new Row("trainer.learning_rate_scheduler.staircase", false, "lr_scheduler.py:41-42"),
      new Row("trainer.learning_rate_scheduler.reduce_on_plateau", 0, "lr_scheduler.py:47-48"),
      new Row("trainer.learning_rate_scheduler.reduce_on_plateau_patience", 10, "lr_scheduler.py:56-57"),
      new Row("trainer.learning_rate_scheduler.reduce_on_plateau_rate", 0.1, "lr_scheduler.py:64-65"),
      new Row("trainer.learning_rate_scheduler.warmup_evaluations", 0, "lr_scheduler.py:72-73"),
      new Row("trainer.learning_rate_scheduler.warmup_fraction", 0.0, "lr_scheduler.py:78-79"),
      new Row("trainer.learning_rate_scheduler.reduce_eval_metric", "loss", "lr_scheduler.py:84-85"),
      new Row("trainer.learning_rate_scheduler.reduce_eval_split", "training", "lr_scheduler.py:93-94"),
      new Row("trainer.learning_rate_scheduler.t_0", null, "lr_scheduler.py:104-105"),
      new Row("trainer.learning_rate_scheduler.t_mult", 1, "lr_scheduler.py:112-113"),
      new Row("trainer.learning_rate_scheduler.eta_min", 0.0, "lr_scheduler.py:120-121"),
      // preprocessing: preprocessing.py, split.py
      new Row("preprocessing.sample_ratio", 1.0, "preprocessing.py:14-15"),
      new Row("preprocessing.sample_size", null, "preprocessing.py:21-22"),
      new Row("preprocessing.oversample_minority", null, "preprocessing.py:29-30"),
      new Row("preprocessing.undersample_majority", null, "preprocessing.py:37-38"),
      new Row("preprocessing.split.type", "random", "preprocessing.py:45-46"),
      new Row("preprocessing.split.probabilities", List.of(0.7, 0.1, 0.2), "split.py:40-42"));

  static final List<Difference> DIFFERENCES = List.of(
          new Difference("input_features[].encoder.type (text)", "parallel_cnn", "bert",
                  "features/text_feature.py:62-65", "Fidelio's text encoders are pretrained transformers only"),
          new Difference("trainer.max_batch_size", 1099511627776L, Integer.MAX_VALUE,
                  "trainer.py:270-271; constants.py:210", "a Java int; both mean 'no cap'"));

  @Test
  void renderedDefaultsAreLudwigsKeyByKey() {
    JsonNode rendered = Yaml.MAPPER.valueToTree(FidelioConfig.parse(CONFIG).toYamlNode());
    List<String> wrong = new ArrayList<>();
    for (Row row : LUDWIG) {
      JsonNode found = at(rendered, row.path());
      JsonNode expected = Yaml.MAPPER.valueToTree(row.ludwig());
      if (found == null || !sameValue(expected, found)) {
        wrong.add(row.path() + ": Ludwig " + expected + " (" + row.source() + "), Fidelio " + found);
      }
    }
    assertTrue(wrong.isEmpty(), "defaults differing from Ludwig 0.10.4 without a documented reason:\n"
            + String.join("\n", wrong));
  }

  @Test
  void deliberateDifferencesAreWhatTheTableSaysAndTheReadmeNamesThem() throws IOException {
    JsonNode rendered = Yaml.MAPPER.valueToTree(FidelioConfig.parse(CONFIG).toYamlNode());
    assertEquals("bert", at(rendered, TEXT + "encoder.type").asText());
    assertEquals("resnet", at(rendered, IMG + "encoder.type").asText());
    JsonNode minimal = Yaml.MAPPER.valueToTree(FidelioConfig.parse("""
            input_features: [{name: t, type: text}]
            output_features: [{name: o, type: binary}]
            """).toYamlNode());
    assertEquals("bert", at(minimal, "input_features[0].encoder.type").asText(), DIFFERENCES.get(0).why());
    assertEquals(Integer.MAX_VALUE, at(rendered, "trainer.max_batch_size").asInt(), DIFFERENCES.get(1).why());
    // Ludwig's image default, stacked_cnn (features/image_feature.py:49), is refused rather than swapped.
    var e = assertThrows(ConfigException.class, () -> FidelioConfig.parse("""
            input_features: [{name: i, type: image}]
            output_features: [{name: o, type: binary}]
            """));
    assertTrue(e.getMessage().contains("input_features[0].encoder") && e.getMessage().contains("stacked_cnn"),
            e.getMessage());
    String reference = Files.readString(Path.of(System.getProperty("fidelio.root", ".."))
            .resolve("docs/config-reference.md"));
    String section = reference.substring(reference.indexOf("Where Fidelio's defaults differ from Ludwig's"));
    for (Difference d : DIFFERENCES) {
      String key = d.path().replaceAll(" \\(.*\\)", "").replace("input_features[].", "");
      assertTrue(section.contains("`" + key + "`") && section.contains(String.valueOf(d.fidelio())),
              "docs/config-reference.md's list of differences must name " + d.path() + " and Fidelio's " + d.fidelio());
    }
  }

  /** Numbers compare by value (Ludwig's 0 and Fidelio's 0.0 are the same default). */
  private static boolean sameValue(JsonNode expected, JsonNode found) {
    if (expected.isNumber() && found.isNumber()) return expected.doubleValue() == found.doubleValue();
    if (expected.isArray() && found.isArray() && expected.size() == found.size()) {
      for (int i = 0; i < expected.size(); i++) if (!sameValue(expected.get(i), found.get(i))) return false;
      return true;
    }
    return expected.equals(found);
  }

  /** The node at a path such as {@code input_features[3].encoder.output_size}; null when absent. */
  static JsonNode at(JsonNode root, String path) {
    JsonNode node = root;
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      String key = bracket < 0 ? part : part.substring(0, bracket);
      node = node.get(key);
      if (node == null) return null;
      if (bracket >= 0) node = node.get(Integer.parseInt(part.substring(bracket + 1, part.length() - 1)));
      if (node == null) return null;
    }
    return node;
  }
}
