package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
  @TempDir
  Path dir;

  @Test
  void everyFloatDtypeReadsBackExactly() throws IOException {
    float[] f32 = {0f, -0f, 1.5f, -3.1415927f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, Float.NEGATIVE_INFINITY};
    // Values exact in half precision, including a subnormal and the largest finite one.
    float[] f16 = {0.5f, -2.25f, 1024f, 65504f, 6.1035156e-5f, 5.9604645e-8f, -0f, Float.POSITIVE_INFINITY};
    // Values whose low 16 bits are zero are exact in bfloat16.
    float[] bf16 = {1f, -0.5f, 3.0e38f, 1.0e-38f, 7.0f, -123.0f};
    for (int i = 0; i < bf16.length; i++) bf16[i] = Float.intBitsToFloat(Float.floatToRawIntBits(bf16[i]) & 0xFFFF0000);
    double[] f64 = {0.1f, -2.0, 1e10, 1.0 / 3.0};

    Map<String, SafetensorsFiles.Entry> t = new LinkedHashMap<>();
    t.put("a.f32", SafetensorsFiles.f32(new long[] {2, 4}, f32));
    t.put("b.f16", SafetensorsFiles.f16(new long[] {8}, f16));
    t.put("c.bf16", SafetensorsFiles.bf16(new long[] {3, 2}, bf16));
    t.put("d.f64", SafetensorsFiles.f64(new long[] {2, 1, 2}, f64));
    t.put("e.scalar", SafetensorsFiles.f32(new long[] {}, 42f));
    t.put("f.empty", SafetensorsFiles.f32(new long[] {0, 3}));
    t.put("embeddings.position_ids", SafetensorsFiles.i64(new long[] {1, 3}, 0, 1, 2));
    Path file = dir.resolve("all.safetensors");
    SafetensorsFiles.write(file, t, Map.of("format", "pt"));

    SafetensorsReader.Contents c = SafetensorsReader.read(file);
    StateDict d = c.tensors();
    assertEquals(List.of("a.f32", "b.f16", "c.bf16", "d.f64", "e.scalar", "f.empty"), List.copyOf(d.names()));
    assertArrayEquals(f32, d.require("a.f32").data());
    assertArrayEquals(new long[] {2, 4}, d.require("a.f32").shape());
    assertArrayEquals(f16, d.require("b.f16").data());
    assertArrayEquals(bf16, d.require("c.bf16").data());
    float[] f64AsFloat = new float[f64.length];
    for (int i = 0; i < f64.length; i++) f64AsFloat[i] = (float) f64[i];
    assertArrayEquals(f64AsFloat, d.require("d.f64").data());
    assertArrayEquals(new long[] {2, 1, 2}, d.require("d.f64").shape());
    assertArrayEquals(new float[] {42f}, d.require("e.scalar").data());
    assertEquals(0, d.require("f.empty").numel());
    assertEquals(Map.of("format", "pt"), c.metadata());
    assertEquals(List.of("embeddings.position_ids (I64)"), c.skipped());
  }

  @Test
  void truncatedFileNamesTheFileAndTheProblem() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafetensorsFiles.write(file, Map.of("w", SafetensorsFiles.f32(new long[] {4, 4}, new float[16])));
    byte[] all = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(all, all.length - 10));
    WeightsException e = assertThrows(WeightsException.class, () -> SafetensorsReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void cutInsideTheHeader() throws IOException {
    Path file = dir.resolve("cut.safetensors");
    SafetensorsFiles.write(file, Map.of("w", SafetensorsFiles.f32(new long[] {2}, 1f, 2f)));
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 20));
    WeightsException e = assertThrows(WeightsException.class, () -> SafetensorsReader.read(file));
    assertTrue(e.getMessage().startsWith("corrupt safetensors file " + file + ": header length"), e.getMessage());
  }

  @Test
  void badJsonAndShapeMismatchAreNamed() throws IOException {
    Path bad = dir.resolve("bad.safetensors");
    byte[] header = "{\"w\": {\"dtype\": \"F32\", ".getBytes(StandardCharsets.UTF_8);
    Files.write(bad, concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array(), header));
    assertTrue(assertThrows(WeightsException.class, () -> SafetensorsReader.read(bad)).getMessage().contains("not valid JSON"));

    Path mismatch = dir.resolve("mismatch.safetensors");
    SafetensorsFiles.write(mismatch, Map.of("w", new SafetensorsFiles.Entry("F32", new long[] {3}, new byte[8])));
    String msg = assertThrows(WeightsException.class, () -> SafetensorsReader.read(mismatch)).getMessage();
    assertTrue(msg.contains("needs 12 bytes but data_offsets span 8"), msg);
  }

  @Test
  void pytorchPickleIsRecognisedWithAConversionHint() throws IOException {
    Path bin = dir.resolve("pytorch_model.safetensors");
    Files.write(bin, concat("PK\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1), new byte[64]));
    String msg = assertThrows(WeightsException.class, () -> SafetensorsReader.read(bin)).getMessage();
    assertTrue(msg.contains("convert it to safetensors"), msg);
  }

  @Test
  void missingFileIsNamed() {
    Path none = dir.resolve("none.safetensors");
    assertTrue(assertThrows(WeightsException.class, () -> SafetensorsReader.read(none)).getMessage().contains(none.toString()));
  }

  @Test
  void fractionalShapesOffsetsAndTrailingJunkAreCorrupt() throws IOException {
    for (String header : List.of(
            "{\"w\": {\"dtype\": \"F32\", \"shape\": [2.5], \"data_offsets\": [0, 8]}}",
            "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8.0]}}",
            "{\"w\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4], \"data_offsets\": [0, 8]}}",
            "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}} junk")) {
      Path file = dir.resolve("odd.safetensors");
      byte[] h = header.getBytes(StandardCharsets.UTF_8);
      Files.write(file, concat(concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array(), h),
              new byte[8]));
      WeightsException e = assertThrows(WeightsException.class, () -> SafetensorsReader.read(file), header);
      assertTrue(e.getMessage().startsWith("corrupt safetensors file " + file), e.getMessage());
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
