package dev.fidelio.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.CategoryOutputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.NumberOutputFeature;
import dev.fidelio.config.NumberPreprocessing;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.features.FeatureException;
import dev.fidelio.features.TextMetadata;
import dev.fidelio.features.TrainingSetMetadata;
import dev.fidelio.model.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ludwig's {@code export_torchscript}: a folder with {@code model.pt} (the whole model as TorchScript:
 * real encoders, combiner, output heads, in evaluation mode), the preprocessing it expects
 * ({@code <feature>_tokenizer.json}, {@code training_set_metadata.json}, {@code model_hyperparameters.json})
 * and {@code torchscript_contract.json}, which says which tensors go in and come out:
 * <pre>
 *   model = torch.jit.load("P/model.pt")
 *   out = model({"text": input_ids, "text_attention_mask": attention_mask})
 *   out["label_probabilities"], out["label_predictions"]  # class index into the contract's classes
 * </pre>
 */
public final class TorchscriptExport {
  public static final String MODEL_FILE = "model.pt";
  public static final String CONTRACT_FILE = "torchscript_contract.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TorchscriptExport() {}

  public static void write(ModelBundle bundle, Path modelFolder, Path outputFolder) {
    try {
      Files.createDirectories(outputFolder);
      List<OutputFeature> outputs = bundle.config().outputFeatures();
      double[] thresholds = new double[outputs.size()];
      for (int i = 0; i < thresholds.length; i++) {
        thresholds[i] = outputs.get(i) instanceof BinaryOutputFeature b ? b.threshold() : 0.5;
      }
      Path tmp = outputFolder.resolve(MODEL_FILE + ".tmp");
      bundle.model().exportTorchscript(tmp, thresholds);
      Files.move(tmp, outputFolder.resolve(MODEL_FILE), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      for (String file : List.of(ModelBundle.CONFIG_FILE, ModelBundle.METADATA_FILE)) copy(modelFolder, outputFolder, file);
      for (InputFeature input : bundle.config().inputFeatures()) {
        if (input instanceof TextInputFeature) copy(modelFolder, outputFolder, bundle.metadata().text(input.name()).tokenizerFile());
      }
      JSON.writerWithDefaultPrettyPrinter().writeValue(outputFolder.resolve(CONTRACT_FILE).toFile(),
          contract(bundle));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export into " + outputFolder + ": " + e.getMessage(), e);
    }
  }

  /** What model.pt takes and returns, and how raw values become its input tensors. */
  static Map<String, Object> contract(ModelBundle bundle) {
    TrainingSetMetadata metadata = bundle.metadata();
    List<Object> inputs = new ArrayList<>();
    for (InputFeature input : bundle.config().inputFeatures()) {
      if (!(input instanceof TextInputFeature text)) {
        throw new FeatureException("input feature '" + input.name() + "': TorchScript export supports text inputs so far");
      }
      TextMetadata t = metadata.text(text.name());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", text.name());
      entry.put("type", "text");
      entry.put("tensors", Map.of(
          text.name(), "input ids, int64 [batch, sequence]: the tokenizer's ids with special tokens ([CLS] ... [SEP]),"
              + " truncated to max_sequence_length, right-padded with pad_token_id",
          text.name() + "_attention_mask", "optional, int64 [batch, sequence]: 1 for tokens, 0 for padding;"
              + " when absent, input ids != pad_token_id"));
      entry.put("tokenizer", t.tokenizerFile());
      entry.put("max_sequence_length", t.maxSequenceLength());
      entry.put("pad_token_id", t.encoderConfig().padTokenId());
      entry.put("missing_value", t.fillValue());
      inputs.add(entry);
    }
    List<Object> outputs = new ArrayList<>();
    for (OutputFeature output : bundle.config().outputFeatures()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", output.name());
      String n = output.name();
      switch (output) {
        case CategoryOutputFeature c -> {
          entry.put("type", "category");
          entry.put("classes", metadata.category(n).idx2str());
          entry.put("tensors", Map.of(n + "_logits", "float [batch, classes]",
              n + "_probabilities", "float [batch, classes]: softmax over classes",
              n + "_predictions", "int64 [batch]: index into classes"));
        }
        case BinaryOutputFeature b -> {
          entry.put("type", "binary");
          entry.put("labels", List.of(metadata.binary(n).falseLabel(), metadata.binary(n).trueLabel()));
          entry.put("threshold", b.threshold());
          entry.put("tensors", Map.of(n + "_logits", "float [batch]",
              n + "_probabilities", "float [batch, 2]: probabilities of labels[0] (false) and labels[1] (true)",
              n + "_predictions", "bool [batch]: probability of true >= threshold"));
        }
        case NumberOutputFeature num -> {
          entry.put("type", "number");
          var normalization = num.preprocessing().normalization();
          entry.put("tensors", Map.of(n + "_logits", "float [batch]", n + "_predictions", normalization == null
              ? "float [batch]" : "float [batch], normalized: to the user's units as 'normalization' says"));
          if (normalization != null) {
            // zscore, minmax and iq are affine: p * scale + shift; log1p is inverted by expm1.
            var stats = metadata.number(n);
            double shift = stats.denormalize(0, normalization), scale = stats.denormalize(1, normalization) - shift;
            entry.put("normalization", normalization == NumberPreprocessing.Normalization.LOG1P
                ? Map.of("type", "log1p", "to_user_units", "expm1(p)")
                : Map.of("type", normalization.yamlName(), "to_user_units", "p * scale + shift", "scale", scale,
                    "shift", shift));
          }
        }
      }
      outputs.add(entry);
    }
    Map<String, Object> contract = new LinkedHashMap<>();
    contract.put("model", MODEL_FILE);
    contract.put("call", "model(inputs: Dict[str, Tensor]) -> Dict[str, Tensor]; evaluation mode, no dropout");
    contract.put("inputs", inputs);
    contract.put("outputs", outputs);
    return contract;
  }

  private static void copy(Path from, Path to, String file) throws IOException {
    Files.copy(from.resolve(file), to.resolve(file), StandardCopyOption.REPLACE_EXISTING);
  }
}
