package dev.fidelio.weights;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchvision's pretrained weights for one Ludwig (type, model_variant): the file torch.hub caches
 * them under (the URL's basename, e.g. vgg16_bn-6c64b313.pth), the preprocessing the weights'
 * transforms() apply, and the keys Ludwig drops. One row of torchvision-weights.tsv, generated from
 * torchvision's own source by generate_torchvision_weights.py beside it.
 *
 * @param builder torchvision's model function (vgg16_bn, resnext50_32x4d, ...)
 * @param resizeSize the shorter side is resized to this, keeping the aspect ratio
 * @param cropSize then the centre crop_size x crop_size square is kept
 * @param interpolation bilinear or bicubic
 * @param removedPrefixes state_dict key prefixes of the layers Ludwig replaces by Identity ("fc.")
 */
public record TorchvisionWeights(String type, String variant, String builder, String fileName, int resizeSize,
                                 int cropSize, String interpolation, List<String> removedPrefixes) {
  private static final Map<String, TorchvisionWeights> TABLE = load();

  /** The row for Ludwig's type and model_variant; an unknown pair is an error naming the known variants. */
  public static TorchvisionWeights of(String type, String variant) {
    TorchvisionWeights w = TABLE.get(type + "/" + variant);
    if (w != null) return w;
    List<String> known = TABLE.values().stream().filter(r -> r.type.equals(type)).map(r -> r.variant).toList();
    throw new WeightsException("no torchvision weights known for image encoder " + type + " model_variant " + variant
        + (known.isEmpty() ? " (unknown type)" : "; known variants: " + String.join(", ", known)));
  }

  /** Every row, in Ludwig's order. */
  public static List<TorchvisionWeights> all() {
    return List.copyOf(TABLE.values());
  }

  /**
   * The checkpoint file, looked up offline where torch.hub would have put it: Ludwig's
   * model_cache_dir, $TORCH_HOME/hub/checkpoints, then $XDG_CACHE_HOME/torch/hub/checkpoints or
   * ~/.cache/torch/hub/checkpoints. In each folder torchvision's own file name counts, then
   * {@code <builder>.pth} and {@code <builder>.safetensors}. Nothing is downloaded; no file is an error
   * naming the file names and every folder searched.
   */
  public Path find(String modelCacheDir, Map<String, String> env, Path userHome) {
    List<String> names = List.of(fileName, builder + ".pth", builder + ".safetensors");
    List<Path> folders = folders(modelCacheDir, env, userHome);
    for (Path folder : folders) {
      for (String name : names) {
        if (Files.isRegularFile(folder.resolve(name))) return folder.resolve(name);
      }
    }
    throw new WeightsException("use_pretrained: true needs torchvision's " + builder + " weights, and Fidelio "
        + "downloads nothing. Looked for " + String.join(", ", names) + " in: " + folders + ". Copy "
        + "https://download.pytorch.org/models/" + fileName + " into one of them or set encoder.model_cache_dir, or "
        + "set use_pretrained: false");
  }

  public Path find(String modelCacheDir) {
    return find(modelCacheDir, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** The folders searched, in order. */
  public static List<Path> folders(String modelCacheDir, Map<String, String> env, Path userHome) {
    List<Path> folders = new ArrayList<>();
    if (modelCacheDir != null && !modelCacheDir.isBlank()) folders.add(Path.of(modelCacheDir));
    if (set(env, "TORCH_HOME")) folders.add(Path.of(env.get("TORCH_HOME"), "hub", "checkpoints"));
    Path cache = set(env, "XDG_CACHE_HOME") ? Path.of(env.get("XDG_CACHE_HOME")) : userHome.resolve(".cache");
    folders.add(cache.resolve("torch").resolve("hub").resolve("checkpoints"));
    return folders;
  }

  /** The state_dict of a .pth (torch.save, through the restricted pickle reader) or .safetensors file. */
  public static StateDict read(Path file) {
    return file.getFileName().toString().endsWith(".safetensors") ? SafetensorsReader.read(file).tensors()
        : TorchCheckpointReader.read(file);
  }

  private static boolean set(Map<String, String> env, String name) {
    String v = env.get(name);
    return v != null && !v.isBlank();
  }

  private static Map<String, TorchvisionWeights> load() {
    Map<String, TorchvisionWeights> table = new LinkedHashMap<>();
    try (InputStream in = TorchvisionWeights.class.getResourceAsStream("torchvision-weights.tsv");
         BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank() || line.startsWith("#")) continue;
        String[] f = line.split("\t");
        List<String> removed = f[7].equals("-") ? List.of() : Arrays.asList(f[7].split(","));
        table.put(f[0] + "/" + f[1], new TorchvisionWeights(f[0], f[1], f[2], f[3], Integer.parseInt(f[4]),
            Integer.parseInt(f[5]), f[6], List.copyOf(removed)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled torchvision-weights.tsv", e);
    }
    return table;
  }
}
