package dev.fidelio.experiment;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.config.InputFeature;
import dev.fidelio.data.DatasetReader;
import dev.fidelio.data.Table;
import dev.fidelio.util.Digests;
import dev.fidelio.util.Log;
import dev.fidelio.weights.StateDict;
import dev.fidelio.weights.TorchvisionWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Each image input's pretrained torchvision checkpoint (use_pretrained), found offline, and what the
 * preprocessed store key must know about image inputs beyond the config: the bytes of every image
 * file the column names (the dataset file itself holds only their paths) and, when the encoder's
 * outputs are cached, the checkpoint's digest.
 */
final class ImageEncoders {
  private ImageEncoders() {}

  /** Per image feature with use_pretrained: true, the torchvision state_dict (classifier included). */
  static Map<String, StateDict> pretrained(FidelioConfig config) {
    Map<String, StateDict> weights = new LinkedHashMap<>();
    for (InputFeature input : config.inputFeatures()) {
      if (!(input instanceof ImageInputFeature image) || !image.encoder().usePretrained()) continue;
      Path file = checkpoint(image);
      Log.info(image.name() + ": " + image.encoder().type() + " " + image.encoder().modelVariant() + " weights from "
          + file);
      weights.put(image.name(), TorchvisionWeights.read(file));
    }
    return weights;
  }

  private static Path checkpoint(ImageInputFeature image) {
    return TorchvisionWeights.of(image.encoder().type(), image.encoder().modelVariant())
        .find(image.encoder().modelCacheDir());
  }

  static Map<String, ObjectNode> identities(FidelioConfig config, Path datasetFile) {
    List<ImageInputFeature> images = config.inputFeatures().stream().filter(ImageInputFeature.class::isInstance)
        .map(ImageInputFeature.class::cast).toList();
    Map<String, ObjectNode> identities = new LinkedHashMap<>();
    if (images.isEmpty()) return identities;
    Table table = DatasetReader.read(datasetFile);
    Path folder = datasetFile.toAbsolutePath().getParent();
    for (ImageInputFeature image : images) {
      ObjectNode id = JsonNodeFactory.instance.objectNode();
      id.put("image_files_sha256", filesDigest(folder, table.require(image.column(), datasetFile.toString())));
      if (image.preprocessing().cacheEncoderEmbeddings()) {
        ObjectNode encoder = id.putObject("encoder");
        // use_pretrained: false draws the weights from the random seed, which the key holds anyway.
        encoder.put("weights_sha256", image.encoder().usePretrained() ? Digests.sha256(checkpoint(image)) : "random");
        encoder.put("architecture", image.encoder().type() + " " + image.encoder().modelVariant());
      }
      identities.put(image.name(), id);
    }
    return identities;
  }

  /** SHA-256 over every distinct path the column names and the file's bytes ("missing" when absent). */
  private static String filesDigest(Path folder, List<String> column) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      TreeSet<String> paths = new TreeSet<>();
      for (String cell : column) if (cell != null && !cell.isBlank()) paths.add(cell.strip());
      for (String path : paths) {
        digest.update(path.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        Path file = folder.resolve(path);
        digest.update(Files.isRegularFile(file) ? Files.readAllBytes(file) : "missing".getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image files under " + folder + ": " + e.getMessage(), e);
    }
  }
}
