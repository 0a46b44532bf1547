package dev.fidelio.weights;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes safetensors files for tests, byte by byte as the format's spec says (independent of the reader). */
final class SafetensorsFiles {
  record Entry(String dtype, long[] shape, byte[] bytes) {}

  private SafetensorsFiles() {}

  static Entry f32(long[] shape, float... v) {
    ByteBuffer b = le(v.length * 4);
    for (float x : v) b.putFloat(x);
    return new Entry("F32", shape, b.array());
  }

  static Entry f16(long[] shape, float... v) {
    ByteBuffer b = le(v.length * 2);
    for (float x : v) b.putShort(Float.floatToFloat16(x));
    return new Entry("F16", shape, b.array());
  }

  /** Writes the top 16 bits of each float: exact for values whose low 16 bits are zero. */
  static Entry bf16(long[] shape, float... v) {
    ByteBuffer b = le(v.length * 2);
    for (float x : v) b.putShort((short) (Float.floatToRawIntBits(x) >>> 16));
    return new Entry("BF16", shape, b.array());
  }

  static Entry f64(long[] shape, double... v) {
    ByteBuffer b = le(v.length * 8);
    for (double x : v) b.putDouble(x);
    return new Entry("F64", shape, b.array());
  }

  static Entry i64(long[] shape, long... v) {
    ByteBuffer b = le(v.length * 8);
    for (long x : v) b.putLong(x);
    return new Entry("I64", shape, b.array());
  }

  static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
    StringBuilder json = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      json.append("\"__metadata__\":{");
      json.append(String.join(",", metadata.entrySet().stream()
              .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"").toList()));
      json.append("},");
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    Map<String, String> parts = new LinkedHashMap<>();
    for (var e : tensors.entrySet()) {
      long begin = data.size();
      data.write(e.getValue().bytes());
      parts.put(e.getKey(), "{\"dtype\":\"" + e.getValue().dtype() + "\",\"shape\":" + Arrays.toString(e.getValue().shape())
              + ",\"data_offsets\":[" + begin + "," + data.size() + "]}");
    }
    json.append(String.join(",", parts.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue()).toList()));
    json.append("}");
    byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
    // Pad the header with spaces to 8 bytes, as the reference writer does, so data is aligned.
    int padded = (header.length + 7) / 8 * 8;
    byte[] h = Arrays.copyOf(header, padded);
    Arrays.fill(h, header.length, padded, (byte) ' ');
    ByteBuffer len = le(8).putLong(padded);
    try (var out = Files.newOutputStream(file)) {
      out.write(len.array());
      out.write(h);
      out.write(data.toByteArray());
    }
  }

  static void write(Path file, Map<String, Entry> tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
