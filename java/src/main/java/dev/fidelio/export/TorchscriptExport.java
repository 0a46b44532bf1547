package dev.fidelio.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fidelio.config.BinaryOutputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.config.OutputFeature;
import dev.fidelio.config.TextInputFeature;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.runtime.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * Image, number, category and binary inputs take one tensor each, preprocessed as the contract
 * says ({@link TorchscriptContract}).
 */
public final class TorchscriptExport {
  public static final String MODEL_FILE = "model.pt";
  public static final String CONTRACT_FILE = "torchscript_contract.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TorchscriptExport() {}

  public static void write(ModelBundle bundle, Path modelFolder, Path outputFolder) {
    Map<String, Object> contract = TorchscriptContract.of(bundle);  // first: it names an input it cannot describe
    try {
      Files.createDirectories(outputFolder);
      List<OutputFeature> outputs = bundle.config().outputFeatures();
      double[] thresholds = new double[outputs.size()];
      for (int i = 0; i < thresholds.length; i++) {
        thresholds[i] = outputs.get(i) instanceof BinaryOutputFeature b ? b.threshold() : 0.5;
      }
      Path tmp = outputFolder.resolve(MODEL_FILE + ".tmp");
      // CPU weights in the file: torch.jit.load opens it on any machine (map_location moves it to a GPU).
      bundle.model().toDevice(Device.CPU);
      bundle.model().exportTorchscript(tmp, thresholds);
      Files.move(tmp, outputFolder.resolve(MODEL_FILE), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      for (String file : List.of(ModelBundle.CONFIG_FILE, ModelBundle.METADATA_FILE)) copy(modelFolder, outputFolder, file);
      for (InputFeature input : bundle.config().inputFeatures()) {
        if (input instanceof TextInputFeature) copy(modelFolder, outputFolder, bundle.metadata().text(input.name()).tokenizerFile());
      }
      JSON.writerWithDefaultPrettyPrinter().writeValue(outputFolder.resolve(CONTRACT_FILE).toFile(),
          contract);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export into " + outputFolder + ": " + e.getMessage(), e);
    }
  }

  private static void copy(Path from, Path to, String file) throws IOException {
    Files.copy(from.resolve(file), to.resolve(file), StandardCopyOption.REPLACE_EXISTING);
  }
}
