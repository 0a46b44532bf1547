package dev.fidelio.weights;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets: [begin, end)}} plus an optional string map
 * {@code __metadata__}), then the raw little-endian tensor bytes, offsets relative to the end of
 * the header. Floating-point tensors become float32; integer tensors (e.g. the
 * {@code position_ids} buffer older BERT checkpoints carry) are listed as skipped.
 *
 * <p>The file is memory-mapped and decoded straight into heap arrays, so a checkpoint is read
 * once and never held twice.
 */
public final class SafetensorsReader {
  /** Headers larger than this are corrupt; the reference implementation uses the same limit. */
  private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  // Anything after the header's one JSON object but padding spaces is corruption, not ignorable junk.
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The float tensors, the {@code __metadata__} strings, and "name (dtype)" for each skipped non-float tensor. */
  public record Contents(StateDict tensors, Map<String, String> metadata, List<String> skipped) {}

  private SafetensorsReader() {}

  public static Contents read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        Arena arena = Arena.ofConfined()) {
      return parse(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena), file);
    } catch (NoSuchFileException e) {
      throw new WeightsException("safetensors file " + file + " does not exist");
    } catch (IOException e) {
      throw new WeightsException("cannot read safetensors file " + file + ": " + e, e);
    }
  }

  /** The contents of a safetensors file's bytes; file names it in errors. */
  static Contents parse(MemorySegment map, Path file) {
    long size = map.byteSize();
    if (size < 8) {
      throw corrupt(file, "file is " + size + " bytes, shorter than the 8-byte header length");
    }
    long headerLen = map.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
      throw corrupt(file, "header length field says " + headerLen + " bytes but the file has "
              + (size - 8) + " bytes after it" + zipHint(map));
    }
    byte[] header = map.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (IOException e) {
      throw corrupt(file, "header is not valid JSON (" + (e instanceof JsonProcessingException j
              ? j.getOriginalMessage() : e.getMessage()) + ")");
    }
    if (root == null || !root.isObject()) {
      throw corrupt(file, "header is not a JSON object");
    }
    return decode(file, root, map.asSlice(8 + headerLen));
  }

  private static Contents decode(Path file, JsonNode root, MemorySegment data) {
    List<NamedTensor> tensors = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String name = e.getKey();
      JsonNode entry = e.getValue();
      if (name.equals("__metadata__")) {
        entry.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      String dtypeName = entry.path("dtype").asText("");
      long[] shape = shape(file, name, entry.path("shape"));
      JsonNode offsets = entry.path("data_offsets");
      if (!offsets.isArray() || offsets.size() != 2 || !isLong(offsets.get(0)) || !isLong(offsets.get(1))) {
        throw corrupt(file, "tensor '" + name + "' has no [begin, end] data_offsets: " + entry);
      }
      long begin = offsets.get(0).asLong(), end = offsets.get(1).asLong();
      if (begin < 0 || end < begin || end > data.byteSize()) {
        throw corrupt(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                + ") fall outside the " + data.byteSize() + " data bytes (file truncated?)");
      }
      StoredDtype dtype = floatDtype(dtypeName);
      if (dtype == null) {
        if (!dtypeName.matches("I8|I16|I32|I64|U8|U16|U32|U64|BOOL|F8_E4M3|F8_E5M2")) {
          throw corrupt(file, "tensor '" + name + "' has unknown dtype '" + dtypeName + "'");
        }
        skipped.add(name + " (" + dtypeName + ")");
        continue;
      }
      long numel = numel(file, name, shape);
      long bytes = numel > Long.MAX_VALUE / dtype.byteSize ? -1 : numel * dtype.byteSize;
      if (bytes != end - begin) {
        throw corrupt(file, "tensor '" + name + "' " + dtypeName + java.util.Arrays.toString(shape)
                + " needs " + (bytes < 0 ? "more than 2^63" : bytes) + " bytes but data_offsets span " + (end - begin));
      }
      if (numel > Integer.MAX_VALUE - 8) {
        throw new WeightsException(file + ": tensor '" + name + "' has " + numel
                + " elements, more than one Java array holds");
      }
      tensors.add(new NamedTensor(name, shape, dtype.decode(data, begin, (int) numel)));
    }
    return new Contents(new StateDict(tensors), Map.copyOf(metadata), List.copyOf(skipped));
  }

  private static StoredDtype floatDtype(String name) {
    return switch (name) {
      case "F32" -> StoredDtype.F32;
      case "F16" -> StoredDtype.F16;
      case "BF16" -> StoredDtype.BF16;
      case "F64" -> StoredDtype.F64;
      default -> null;
    };
  }

  private static long[] shape(Path file, String name, JsonNode node) {
    if (!node.isArray()) throw corrupt(file, "tensor '" + name + "' has no shape array");
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = node.get(i);
      if (!isLong(d) || d.asLong() < 0) {
        throw corrupt(file, "tensor '" + name + "' has invalid shape " + node);
      }
      shape[i] = d.asLong();
    }
    return shape;
  }

  /** An integer JSON number that fits a long: 2.5 or 2e0 is no dimension or offset (asLong would truncate it). */
  private static boolean isLong(JsonNode node) {
    return node.isIntegralNumber() && node.canConvertToLong();
  }

  private static long numel(Path file, String name, long[] shape) {
    try {
      return NamedTensor.numel(shape);
    } catch (ArithmeticException e) {
      throw corrupt(file, "tensor '" + name + "' shape " + java.util.Arrays.toString(shape) + " has more than 2^63 elements");
    }
  }

  /** PyTorch's .bin/.pt files are zip archives: say so instead of "bad header length". */
  private static String zipHint(MemorySegment map) {
    boolean zip = map.get(ValueLayout.JAVA_BYTE, 0) == 'P' && map.get(ValueLayout.JAVA_BYTE, 1) == 'K';
    return zip ? "; this is a zip archive, i.e. a PyTorch pickle checkpoint, not safetensors: "
            + "convert it to safetensors (e.g. with safetensors.torch.save_file on a machine with Python)" : "";
  }

  private static WeightsException corrupt(Path file, String what) {
    return new WeightsException("corrupt safetensors file " + file + ": " + what);
  }

}
