package dev.fidelio.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.config.FidelioConfig;
import dev.fidelio.config.ImageInputFeature;
import dev.fidelio.data.Table;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image columns: paths relative to the dataset's folder, sizes inferred from training images,
 * unreadable images named with file and row, or dropped and counted with drop_row.
 */
class ImagePreprocessingTest {
  @TempDir Path dir;

  private ImageInputFeature feature(String preprocessing) throws Exception {
    FidelioConfig config = FidelioConfig.parse("""
        input_features:
          - name: picture
            type: image
            encoder: {type: resnet, model_variant: 18, use_pretrained: false}
            preprocessing: %s
        output_features:
          - {name: label, type: category}
        """.formatted(preprocessing));
    return (ImageInputFeature) config.inputFeatures().get(0);
  }

  private Table table(String... paths) throws Exception {
    Files.createDirectories(dir.resolve("img"));
    for (int i = 0; i < 3; i++) {
      BufferedImage image = new BufferedImage(6 + 2 * i, 4, BufferedImage.TYPE_BYTE_GRAY);
      image.getRaster().setSample(0, 0, 0, 10 * (i + 1));
      ImageIO.write(image, "png", dir.resolve("img/" + i + ".png").toFile());
    }
    Files.writeString(dir.resolve("img/broken.png"), "not an image");
    return new Table(dir.resolve("data.csv").toString(), List.of("picture", "label"),
        List.of(Arrays.asList(paths), Arrays.asList(new String[paths.length])));
  }

  @Test
  void infersSizeFromTrainingImagesAndResolvesPathsFromTheDatasetFolder() throws Exception {
    Table table = table("img/0.png", "img/1.png", "img/2.png");
    ImageMetadata metadata = ImagePreprocessing.fit(feature("{resize_method: crop_or_pad}"), table, new int[] {0, 1, 2});
    // widths 6, 8, 10 average to 8; heights 4; gray
    assertEquals(new ImageMetadata(4, 8, 1, "crop_or_pad", false), metadata);
    boolean[] keep = {true, true, true};
    byte[][] pixels = ImagePreprocessing.load(feature("{resize_method: crop_or_pad}"), metadata, table,
        new int[] {0, 1, 2}, keep, "training");
    assertEquals(32, pixels[0].length);
    assertEquals(20, pixels[1][0] & 0xFF, "8 wide: no crop, top-left pixel kept");
  }

  @Test
  void channelsComeFromTheSampleMajorityOrTheFirstImageAndResizeDefaultsToInterpolate() throws Exception {
    Table table = table("img/rgb.png", "img/0.png", "img/1.png");
    ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("img/rgb.png").toFile());
    ImageMetadata majority = ImagePreprocessing.fit(feature("{height: 4, width: 4}"), table, new int[] {0, 1, 2});
    assertEquals(new ImageMetadata(4, 4, 1, "interpolate", false), majority, "two gray images of three");
    ImageMetadata first = ImagePreprocessing.fit(feature("{height: 4, width: 4, infer_image_num_channels: false}"),
        table, new int[] {0, 1, 2});
    assertEquals(3, first.numChannels(), "the first image is RGB");
  }

  @Test
  void unreadableImagesAreNamedWithTheirRow() throws Exception {
    Table table = table("img/0.png", "img/broken.png", "img/missing.png");
    ImageInputFeature feature = feature("{height: 4, width: 4, num_channels: 1}");
    ImageMetadata metadata = ImagePreprocessing.fit(feature, table, new int[] {0});
    var error = assertThrows(FeatureException.class, () -> ImagePreprocessing.load(feature, metadata, table,
        new int[] {0, 1, 2}, new boolean[] {true, true, true}, "training"));
    String message = error.getMessage();
    assertTrue(message.contains("2 image(s)") && message.contains("row 1 ('img/broken.png')")
        && message.contains("row 2 ('img/missing.png'): file not found") && message.contains("drop_row"), message);
  }

  @Test
  void dropRowDropsUnreadableAndEmptyCells() throws Exception {
    Table table = table("img/0.png", "img/broken.png", "", "img/2.png");
    ImageInputFeature feature = feature("{height: 4, width: 4, num_channels: 1, missing_value_strategy: drop_row}");
    boolean[] keep = {true, true, true, true};
    byte[][] pixels = ImagePreprocessing.load(feature, ImagePreprocessing.fit(feature, table, new int[] {0}), table,
        new int[] {0, 1, 2, 3}, keep, "training");
    assertTrue(keep[0] && !keep[1] && !keep[2] && keep[3], Arrays.toString(keep));
    assertNull(pixels[1]);
  }

  @Test
  void emptyCellsAreBackFilledByDefault() throws Exception {
    Table table = table("", "img/1.png");
    ImageInputFeature feature = feature("{height: 4, width: 4, num_channels: 1}");
    boolean[] keep = {true, true};
    byte[][] pixels = ImagePreprocessing.load(feature, ImagePreprocessing.fit(feature, table, new int[] {1}), table,
        new int[] {0, 1}, keep, "training");
    assertTrue(keep[0] && keep[1]);
    assertEquals(pixels[1][0], pixels[0][0]);
  }
}
