package dev.fidelio.cli;

import dev.fidelio.export.TorchscriptExport;
import dev.fidelio.model.ModelBundle;
import dev.fidelio.util.Log;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `fidelio export_torchscript` (Ludwig's name): the model as TorchScript plus its preprocessing files. */
@Command(name = "export_torchscript", mixinStandardHelpOptions = true,
    description = "Export a trained model as TorchScript (model.pt) with its tokenizers and input contract.")
class ExportTorchscriptCommand implements Callable<Integer> {
  @Option(names = {"-m", "--model_path"}, required = true, description = "the model folder of a training run")
  Path modelPath;

  @Option(names = {"-op", "--output_path"}, required = true, description = "folder to write model.pt and its files into")
  Path outputPath;

  @Override
  public Integer call() {
    try (ModelBundle bundle = ModelBundle.load(modelPath)) {
      TorchscriptExport.write(bundle, modelPath, outputPath);
    }
    Log.info("wrote " + outputPath.resolve(TorchscriptExport.MODEL_FILE) + " and its contract "
        + outputPath.resolve(TorchscriptExport.CONTRACT_FILE));
    return 0;
  }
}
