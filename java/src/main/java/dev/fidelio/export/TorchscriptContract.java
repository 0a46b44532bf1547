package dev.fidelio.export;

import dev.fidelio.config.BinaryInputFeature;
import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.CategoryEncoder;
import dev.fidelio.config.CategoryInputFeature;
import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.Loss;
import dev.fidelio.config.MissingValueStrategy;
import dev.fidelio.config.NumberInputFeature;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.config.NumberPreprocessing;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.FeatureException;
import dev.fidelio.features.ImageMetadata;
import dev.fidelio.features.NumberStats;
import dev.fidelio.features.TextMetadata;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.model.ModelBundle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchscript_contract.json: what model.pt takes and returns, and how raw values become its input
 * tensors. Preprocessing stays outside the graph, as the C++ model's own inputs are: tokenizing,
 * image decoding and resizing, number normalization, vocabulary look-up and missing-value filling
 * are described here with the training split's constants, so any caller can reproduce them.
 */
final class TorchscriptContract {
  private TorchscriptContract() {}

  static Map<String, Object> of(ModelBundle bundle) {
    TrainingSetMetadata metadata = bundle.metadata();
    List<Object> inputs = new ArrayList<>();
    for (InputFeature input : bundle.config().inputFeatures()) inputs.add(input(input, metadata));
    List<Object> outputs = new ArrayList<>();
    for (OutputFeature output : bundle.config().outputFeatures()) outputs.add(output(output, metadata));
    Map<String, Object> contract = new LinkedHashMap<>();
    contract.put("model", TorchscriptExport.MODEL_FILE);
    contract.put("call", "model(inputs: Dict[str, Tensor]) -> Dict[str, Tensor]; evaluation mode, no dropout");
    contract.put("inputs", inputs);
    contract.put("outputs", outputs);
    return contract;
  }

  private static Map<String, Object> input(InputFeature input, TrainingSetMetadata metadata) {
    String n = input.name();
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("name", n);
    switch (input) {
      case TextInputFeature text -> {
        TextMetadata t = metadata.text(n);
        entry.put("type", "text");
        entry.put("tensors", Map.of(
            n, "input ids, int64 [batch, sequence]: the tokenizer's ids (of the lower-cased text when 'lowercase')"
                + " with the special tokens of its post_processor (BERT: [CLS] ... [SEP], RoBERTa: <s> ... </s>),"
                + " truncated to max_sequence_length, right-padded with pad_token_id",
            n + "_attention_mask", "optional, int64 [batch, sequence]: 1 for tokens, 0 for padding;"
                + " when absent, input ids != pad_token_id"));
        entry.put("tokenizer", t.tokenizerFile());
        entry.put("lowercase", text.preprocessing().lowercase());
        entry.put("max_sequence_length", t.maxSequenceLength());
        entry.put("pad_token_id", t.padTokenId());
        entry.put("missing_value", t.fillValue());
      }
      case ImageInputFeature image -> {
        ImageMetadata m = metadata.image(n);
        entry.put("type", "image");
        String resize = m.resizeSize() > 0
            ? " brought to height x width by the pretrained encoder's transforms: the shorter side resized to resize_size"
                + " (the longer to int(resize_size * long / short)) with 'interpolation' (align_corners false, no antialias,"
                + " bicubic clamped to [0, 255], rounded half to even), then the centre height x width crop (offsets"
                + " round((old - new) / 2))"
            : " brought to height x width by resize_method (interpolate: bilinear, align_corners false, no antialias,"
                + " rounded half to even; crop_or_pad: centre crop or edge padding)";
        entry.put("tensors", Map.of(n, "float [batch, num_channels, height, width]: the decoded 8-bit image converted to"
            + " num_channels as PIL converts (gray = (19595 R + 38470 G + 7471 B + 32768) >> 16)," + resize
            + ", then pixel / 255" + (m.imagenet1k() ? ", then (x - mean[c]) / std[c] per channel" : "")));
        entry.put("height", m.height());
        entry.put("width", m.width());
        entry.put("num_channels", m.numChannels());
        if (m.resizeSize() > 0) {
          entry.put("resize_size", m.resizeSize());
          entry.put("interpolation", m.interpolation());
        } else {
          entry.put("resize_method", m.resizeMethod());
        }
        if (m.imagenet1k()) entry.put("standardize", Map.of("mean", ImageMetadata.IMAGENET_MEAN, "std", ImageMetadata.IMAGENET_STD));
      }
      case NumberInputFeature number -> {
        NumberPreprocessing p = number.preprocessing();
        NumberStats stats = metadata.number(n);
        entry.put("type", "number");
        entry.put("tensors", Map.of(n, "float [batch]: the value after missing_value and outliers, normalized as"
            + " 'normalization' says"));
        entry.put("normalization", normalization(p.normalization(), stats, "to_model_scale"));
        entry.put("missing_value", missing(p.missingValueStrategy(), Double.parseDouble(metadata.fill().get(n))));
        if (p.outlierStrategy() != null) {
          entry.put("outliers", Map.of("rule", "|v - mean| > threshold * std", "mean", stats.mean(), "std", stats.std(),
              "threshold", p.outlierThreshold(), "replace", missing(p.outlierStrategy(), outlierFill(p, stats))));
        }
      }
      case CategoryInputFeature category -> {
        entry.put("type", "category");
        entry.put("tensors", Map.of(n, "int64 [batch]: index into vocabulary; values not in it are 0 (<UNK>)"));
        entry.put("vocabulary", metadata.category(n).idx2str());
        entry.put("lowercase", category.preprocessing().lowercase());
        entry.put("encoder", category.encoder() instanceof CategoryEncoder.Dense ? "dense (learned embedding)" : "one-hot");
        entry.put("missing_value", missing(category.preprocessing().missingValueStrategy(), metadata.fill().get(n)));
      }
      case BinaryInputFeature binary -> {
        var labels = metadata.binary(n);
        entry.put("type", "binary");
        entry.put("tensors", Map.of(n, "float [batch]: 1.0 for labels[1] (true), 0.0 for labels[0] (false)"));
        entry.put("labels", List.of(labels.falseLabel(), labels.trueLabel()));
        entry.put("missing_value", missing(binary.preprocessing().missingValueStrategy(), metadata.fill().get(n)));
      }
      default -> throw new FeatureException("input feature '" + n + "': TorchScript export does not support its type");
    }
    return entry;
  }

  /** calibration: true fitted a temperature; the graph's probabilities are the uncalibrated ones. */
  private static void temperature(Map<String, Object> entry, TrainingSetMetadata metadata, String name, String rule) {
    Double temperature = metadata.temperature().get(name);
    if (temperature != null) {
      entry.put("calibration", Map.of("temperature", temperature, "apply_to_probabilities", rule));
    }
  }

  private static Map<String, Object> output(OutputFeature output, TrainingSetMetadata metadata) {
    String n = output.name();
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("name", n);
    switch (output) {
      case CategoryOutputFeature c -> {
        entry.put("type", "category");
        entry.put("classes", metadata.category(n).idx2str());
        temperature(entry, metadata, n, "softmax(log(p) / temperature)");
        entry.put("tensors", c.loss() instanceof Loss.Corn ? Map.of(n + "_logits", "float [batch, classes]",
            n + "_probabilities", "float [batch, classes]: corn: cumulative products of the sigmoids, P(class > k)",
            n + "_predictions", "int64 [batch]: index into classes: how many of the first classes - 1 "
                + "probabilities exceed 0.5")
            : Map.of(n + "_logits", "float [batch, classes]",
            n + "_probabilities", "float [batch, classes]: softmax over classes",
            n + "_predictions", "int64 [batch]: index into classes"));
      }
      case BinaryOutputFeature b -> {
        entry.put("type", "binary");
        entry.put("labels", List.of(metadata.binary(n).falseLabel(), metadata.binary(n).trueLabel()));
        entry.put("threshold", b.threshold());
        temperature(entry, metadata, n, "sigmoid(logit(p) / temperature) for the true label");
        entry.put("tensors", Map.of(n + "_logits", "float [batch]",
            n + "_probabilities", "float [batch, 2]: probabilities of labels[0] (false) and labels[1] (true)",
            n + "_predictions", "bool [batch]: probability of true >= threshold"));
      }
      case NumberOutputFeature num -> {
        var normalization = num.preprocessing().normalization();
        entry.put("type", "number");
        entry.put("tensors", Map.of(n + "_logits", "float [batch]", n + "_predictions", normalization == null
            ? "float [batch]" : "float [batch], normalized: to the user's units as 'normalization' says"));
        if (normalization != null) entry.put("normalization", normalization(normalization, metadata.number(n), "to_user_units"));
      }
    }
    return entry;
  }

  /** The normalization as a formula with its training-split constants, in the direction given. */
  private static Map<String, Object> normalization(NumberPreprocessing.Normalization normalization, NumberStats stats,
                                                   String direction) {
    boolean toModel = direction.equals("to_model_scale");
    if (normalization == null) return Map.of("type", "none", direction, "v");
    if (normalization == NumberPreprocessing.Normalization.LOG1P) {
      return Map.of("type", "log1p", direction, toModel ? "log1p(v)" : "expm1(p)");
    }
    return Map.of("type", normalization.yamlName(), direction, toModel ? "(v - shift) / scale" : "p * scale + shift",
        "shift", stats.shift(normalization), "scale", stats.scale(normalization));
  }

  /** A missing-value (or outlier) strategy: fill strategies with the value, row strategies as the caller's job. */
  private static Map<String, Object> missing(MissingValueStrategy strategy, Object fill) {
    return switch (strategy) {
      case DROP_ROW, FFILL, BFILL -> Map.of("strategy", strategy.yamlName(),
          "note", "a row-level strategy: the caller drops or fills such rows before building the tensors");
      default -> Map.of("strategy", strategy.yamlName(), "fill_value", fill);
    };
  }

  private static double outlierFill(NumberPreprocessing p, NumberStats stats) {
    return switch (p.outlierStrategy()) {
      case FILL_WITH_MEAN -> stats.mean();
      case FILL_WITH_MODE -> stats.mode();
      default -> p.fillValue();
    };
  }
}
