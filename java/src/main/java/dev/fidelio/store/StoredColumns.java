package dev.fidelio.store;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fidelio.features.InputColumn;
import dev.fidelio.features.TargetColumn;
import dev.fidelio.runtime.DType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * How each kind of column becomes array files and back: the one place a new column kind plugs in
 * (the switches are exhaustive over the sealed column types, so the compiler points here). Input
 * columns stay mapped; targets and row numbers are small and are copied to the heap.
 */
final class StoredColumns {
  /** Stores one array under a file name, returning the name. */
  interface Sink {
    String put(String file, MemorySegment data) throws IOException;
  }

  /** The mapped contents of a file named by the manifest (its checksum already verified). */
  interface Source {
    MemorySegment get(String file) throws IOException;
  }

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StoredColumns() {}

  static ObjectNode writeInput(InputColumn column, String prefix, Sink sink) throws IOException {
    ObjectNode node = NODES.objectNode();
    switch (column) {
      case InputColumn.Tokens t -> {
        node.put("kind", "tokens");
        node.put("pad_token_id", t.padTokenId());
        node.put("ids", sink.put(prefix + ".ids.i32", t.ids()));
        node.put("offsets", sink.put(prefix + ".offsets.i64", t.offsets()));
      }
      case InputColumn.Dense d -> {
        node.put("kind", "dense");
        node.put("dtype", d.dtype().name());
        var shape = node.putArray("row_shape");
        for (long dim : d.rowShape()) shape.add(dim);
        node.put("values", sink.put(prefix + ".values." + d.dtype().name().toLowerCase(), d.values()));
      }
    }
    return node;
  }

  static InputColumn readInput(JsonNode node, long rows, Source source) throws IOException {
    String kind = node.path("kind").asText();
    return switch (kind) {
      case "tokens" -> {
        MemorySegment ids = source.get(node.path("ids").asText());
        MemorySegment offsets = source.get(node.path("offsets").asText());
        check(offsets.byteSize() == (rows + 1) * Long.BYTES, "token offsets of " + rows + " rows");
        long previous = 0;
        for (long r = 0; r <= rows; r++) {
          long offset = offsets.getAtIndex(JAVA_LONG, r);
          check(offset >= previous && (r > 0 || offset == 0), "token offsets ascending from 0");
          previous = offset;
        }
        check(previous * Integer.BYTES == ids.byteSize(), "token ids matching the offsets");
        yield new InputColumn.Tokens(ids, offsets, node.path("pad_token_id").asLong());
      }
      case "dense" -> {
        DType dtype = DType.valueOf(node.path("dtype").asText());
        long[] shape = new long[node.path("row_shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = node.path("row_shape").get(i).asLong();
        var column = new InputColumn.Dense(dtype, shape, source.get(node.path("values").asText()));
        check(column.values().byteSize() == rows * column.rowBytes(), rows + " rows of " + column.rowBytes() + " bytes");
        yield column;
      }
      default -> throw new StoreException("unknown column kind '" + kind + "'");
    };
  }

  static ObjectNode writeTarget(TargetColumn column, String prefix, Sink sink) throws IOException {
    ObjectNode node = NODES.objectNode();
    switch (column) {
      case TargetColumn.ClassIds c -> {
        node.put("kind", "class_ids");
        node.put("values", sink.put(prefix + ".i64", MemorySegment.ofArray(c.ids())));
      }
      case TargetColumn.Values v -> {
        node.put("kind", "values");
        node.put("values", sink.put(prefix + ".f32", MemorySegment.ofArray(v.values())));
      }
    }
    return node;
  }

  static TargetColumn readTarget(JsonNode node, long rows, Source source) throws IOException {
    MemorySegment values = source.get(node.path("values").asText());
    String kind = node.path("kind").asText();
    return switch (kind) {
      case "class_ids" -> {
        check(values.byteSize() == rows * Long.BYTES, rows + " class ids");
        yield new TargetColumn.ClassIds(values.toArray(JAVA_LONG));
      }
      case "values" -> {
        check(values.byteSize() == rows * Float.BYTES, rows + " target values");
        yield new TargetColumn.Values(values.toArray(JAVA_FLOAT));
      }
      default -> throw new StoreException("unknown target kind '" + kind + "'");
    };
  }

  static String writeRows(int[] sourceRows, String prefix, Sink sink) throws IOException {
    return sink.put(prefix + ".rows.i32", MemorySegment.ofArray(sourceRows));
  }

  static int[] readRows(String file, Source source) throws IOException {
    return source.get(file).toArray(JAVA_INT);
  }

  private static void check(boolean condition, String expected) {
    if (!condition) throw new StoreException("inconsistent column: expected " + expected);
  }
}
