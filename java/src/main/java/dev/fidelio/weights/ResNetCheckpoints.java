package dev.fidelio.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds a torchvision ResNet checkpoint offline, where torchvision's own download would have put
 * it: Ludwig's {@code model_cache_dir} first, then {@code $TORCH_HOME/hub/checkpoints}, then
 * {@code $XDG_CACHE_HOME/torch/hub/checkpoints} or {@code ~/.cache/torch/hub/checkpoints}. A file
 * {@code resnet<N>-<hash>.pth} (torchvision's names, e.g. resnet18-f37072fd.pth), {@code resnet<N>.pth}
 * or {@code resnet<N>.safetensors} counts. Nothing is downloaded.
 */
public final class ResNetCheckpoints {
  private final Map<String, String> env;
  private final Path userHome;

  public ResNetCheckpoints(Map<String, String> env, Path userHome) {
    this.env = env;
    this.userHome = userHome;
  }

  public static ResNetCheckpoints fromEnvironment() {
    return new ResNetCheckpoints(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** The folders searched, in order. */
  public List<Path> folders(String modelCacheDir) {
    List<Path> folders = new ArrayList<>();
    if (modelCacheDir != null && !modelCacheDir.isBlank()) folders.add(Path.of(modelCacheDir));
    if (set("TORCH_HOME")) folders.add(Path.of(env.get("TORCH_HOME"), "hub", "checkpoints"));
    Path cache = set("XDG_CACHE_HOME") ? Path.of(env.get("XDG_CACHE_HOME")) : userHome.resolve(".cache");
    folders.add(cache.resolve("torch").resolve("hub").resolve("checkpoints"));
    return folders;
  }

  /** The checkpoint file of resnet-variant, or an error that lists where Fidelio looked and what to do. */
  public Path find(int variant, String modelCacheDir) {
    String stem = "resnet" + variant;
    for (Path folder : folders(modelCacheDir)) {
      if (!Files.isDirectory(folder)) continue;
      try (Stream<Path> files = Files.list(folder)) {
        var match = files.filter(f -> {
          String name = f.getFileName().toString();
          return name.equals(stem + ".pth") || name.equals(stem + ".safetensors")
              || (name.startsWith(stem + "-") && name.endsWith(".pth"));
        }).sorted().findFirst();
        if (match.isPresent()) return match.get();
      } catch (IOException e) {
        throw new WeightsException("cannot list " + folder + ": " + e.getMessage(), e);
      }
    }
    throw new WeightsException("use_pretrained: true needs torchvision's " + stem + " weights, and Fidelio downloads "
        + "nothing. Looked for " + stem + "-*.pth, " + stem + ".pth or " + stem + ".safetensors in: " + folders(modelCacheDir)
        + ". Copy torchvision's file (e.g. from download.pytorch.org/models/) into one of them or set encoder."
        + "model_cache_dir, or set use_pretrained: false");
  }

  /** The state_dict of a .pth (torch.save) or .safetensors file. */
  public static StateDict read(Path file) {
    return file.getFileName().toString().endsWith(".safetensors") ? SafetensorsReader.read(file).tensors()
        : TorchCheckpointReader.read(file);
  }

  private boolean set(String name) {
    String v = env.get(name);
    return v != null && !v.isBlank();
  }
}
