package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.TorchvisionEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated torchvision-weights.tsv against Ludwig's schema, and the offline checkpoint lookup. */
class TorchvisionWeightsTest {
  @Test
  void everyLudwigTypeAndVariantHasTorchvisionWeights() {
    int variants = 0;
    for (var type : TorchvisionEncoder.TYPES.entrySet()) {
      for (String variant : type.getValue().options()) {
        TorchvisionWeights w = TorchvisionWeights.of(type.getKey(), variant);
        assertTrue(w.fileName().endsWith(".pth") && w.cropSize() > 0 && w.resizeSize() >= w.cropSize(), w.toString());
        assertTrue(List.of("bilinear", "bicubic").contains(w.interpolation()), w.toString());
        variants++;
      }
    }
    assertEquals(TorchvisionWeights.all().size(), variants, "the table holds Ludwig's variants and nothing else");
    // torchvision's published names (torchvision/models/*.py Weights enums, DEFAULT weights)
    assertEquals("vgg16_bn-6c64b313.pth", TorchvisionWeights.of("vgg", "16_bn").fileName());
    assertEquals("resnet50-11ad3fa6.pth", TorchvisionWeights.of("resnet", "50").fileName());
    assertEquals(List.of("fc."), TorchvisionWeights.of("resnext", "101_32x8d").removedPrefixes());
    assertEquals(List.of(), TorchvisionWeights.of("squeezenet", "1_0").removedPrefixes());
    TorchvisionWeights vit = TorchvisionWeights.of("vit", "h_14");
    assertEquals(List.of(518, 518, "bicubic"), List.of(vit.resizeSize(), vit.cropSize(), vit.interpolation()));
  }

  @Test
  void unknownVariantNamesTheKnownOnes() {
    var e = assertThrows(WeightsException.class, () -> TorchvisionWeights.of("vgg", "17"));
    assertTrue(e.getMessage().contains("11, 11_bn, 13, 13_bn, 16, 16_bn, 19, 19_bn"), e.getMessage());
  }

  @Test
  void checkpointsAreFoundOfflineInCacheDirTorchHomeAndUserCache(@TempDir Path dir) throws Exception {
    TorchvisionWeights vgg = TorchvisionWeights.of("vgg", "11_bn");
    Path cacheDir = Files.createDirectories(dir.resolve("cache"));
    Path torchHome = Files.createDirectories(dir.resolve("torch/hub/checkpoints"));
    Path home = dir.resolve("home");
    Map<String, String> env = Map.of("TORCH_HOME", dir.resolve("torch").toString());

    var missing = assertThrows(WeightsException.class, () -> vgg.find(cacheDir.toString(), env, home));
    for (String part : List.of("vgg11_bn-6002323d.pth", "vgg11_bn.pth", "vgg11_bn.safetensors", cacheDir.toString(),
        torchHome.toString(), home.resolve(".cache/torch/hub/checkpoints").toString(), "use_pretrained: false")) {
      assertTrue(missing.getMessage().contains(part), part + " in: " + missing.getMessage());
    }
    Files.writeString(torchHome.resolve("vgg11_bn-6002323d.pth"), "x");
    assertEquals(torchHome.resolve("vgg11_bn-6002323d.pth"), vgg.find(cacheDir.toString(), env, home));
    Files.writeString(cacheDir.resolve("vgg11_bn.safetensors"), "x");
    assertEquals(cacheDir.resolve("vgg11_bn.safetensors"), vgg.find(cacheDir.toString(), env, home),
        "model_cache_dir comes first");
  }
}
