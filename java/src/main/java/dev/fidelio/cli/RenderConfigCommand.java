package dev.fidelio.cli;

import dev.fidelio.config.FidelioConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `fidelio render_config`: validate a config and print it with every default filled in. */
@Command(name = "render_config", mixinStandardHelpOptions = true,
    description = "Validate a config and print it fully resolved.")
final class RenderConfigCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true)
  Path config;

  @Option(names = {"-o", "--output_file"}, description = "write here instead of stdout")
  Path outputFile;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(config)) throw new IllegalArgumentException("config file " + config + " not found");
    String yaml = FidelioConfig.load(config).toYaml();
    if (outputFile == null) {
      spec.commandLine().getOut().print(yaml);
      spec.commandLine().getOut().flush();
    }
    if (outputFile != null) Files.writeString(outputFile, yaml);
    return 0;
  }
}
