package dev.fidelio.data;

import dev.fidelio.config.Split;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;

/**
 * preprocessing.split type {@code hash}: each row's split follows from its id column's value alone,
 * so it never moves when rows are added, removed or reordered. The hash is Ludwig's
 * ({@code HashSplitter} in ludwig/data/split.py): crc32 of the base64 of the MD5 of
 * {@code json.dumps({"value": v}, sort_keys=True, ensure_ascii=True)}, compared with
 * {@code probabilities x 2^32}; so a dataset splits as Ludwig splits it. pandas reads a column of
 * whole numbers as integers, so such a column hashes {@code 17}, any other {@code "17"}.
 */
final class HashSplit {
  private static final double RANGE = 4294967296.0; // crc32 values are below 2^32

  private HashSplit() {}

  static int[] assign(Table table, Split.Hash hash) {
    List<String> values = table.require(hash.column(), table.source() + " (preprocessing.split.column for type 'hash')");
    boolean integers = values.stream().allMatch(v -> v == null || v.strip().matches("-?\\d{1,18}"));
    double train = hash.probabilities().get(0) * RANGE;
    double validation = train + hash.probabilities().get(1) * RANGE;
    int[] assignment = new int[values.size()];
    for (int r = 0; r < assignment.length; r++) {
      long h = hash(values.get(r), integers);
      assignment[r] = h < train ? 0 : h < validation ? 1 : 2;
    }
    return assignment;
  }

  /** The crc32 Ludwig compares with the thresholds. */
  static long hash(String value, boolean integers) {
    return crc32(json(value, integers));
  }

  /** Python's json.dumps of {"value": v}; a missing cell is pandas' NaN. */
  static String json(String value, boolean integers) {
    if (value == null) return "{\"value\": NaN}";
    if (integers) return "{\"value\": " + Long.parseLong(value.strip()) + "}";
    var out = new StringBuilder("{\"value\": \"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append(c < 0x20 || c > 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return out.append("\"}").toString();
  }

  private static long crc32(String json) {
    try {
      byte[] md5 = MessageDigest.getInstance("MD5").digest(json.getBytes(StandardCharsets.US_ASCII));
      // base64 with altchars "__": both '+' and '/' become '_'.
      String b64 = Base64.getEncoder().encodeToString(md5).replace('+', '_').replace('/', '_');
      CRC32 crc = new CRC32();
      crc.update(b64.getBytes(StandardCharsets.US_ASCII));
      return crc.getValue();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides MD5", e);
    }
  }
}
