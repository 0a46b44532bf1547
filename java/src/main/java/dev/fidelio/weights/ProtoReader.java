package dev.fidelio.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over protobuf wire format, enough to walk ONNX files without a protobuf library: each
 * field is a varint tag {@code (field << 3) | wireType} followed by a varint (0), 8 bytes (1), a
 * varint length and that many bytes (2), or 4 bytes (5). Embedded messages are length-delimited,
 * so {@link #message()} hands out a sub-cursor and large payloads ({@code raw_data}) are skipped
 * by offset, never copied.
 */
final class ProtoReader {
  static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

  private final MemorySegment buf;
  private final String source;
  private long pos;
  private final long end;

  ProtoReader(MemorySegment buf, String source) {
    this(buf, source, 0, buf.byteSize());
  }

  private ProtoReader(MemorySegment buf, String source, long start, long end) {
    this.buf = buf;
    this.source = source;
    this.pos = start;
    this.end = end;
  }

  boolean hasMore() {
    return pos < end;
  }

  /** Reads the next tag; split with {@link #field} and {@link #wireType}. */
  int tag() {
    long t = varint();
    if (t <= 0 || t > Integer.MAX_VALUE) throw corrupt("invalid field tag " + t);
    return (int) t;
  }

  static int field(int tag) {
    return tag >>> 3;
  }

  static int wireType(int tag) {
    return tag & 7;
  }

  long varint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      byte b = buf.get(ValueLayout.JAVA_BYTE, pos++);
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) return result;
    }
    throw corrupt("varint longer than 10 bytes");
  }

  /** Offset of the payload of a length-delimited field; the cursor moves past it. */
  long[] span() {
    long len = varint();
    if (len < 0) throw corrupt("negative length " + len);
    need(len);
    long start = pos;
    pos += len;
    return new long[] {start, len};
  }

  ProtoReader message() {
    long[] s = span();
    return new ProtoReader(buf, source, s[0], s[0] + s[1]);
  }

  String string() {
    long[] s = span();
    return new String(buf.asSlice(s[0], s[1]).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  int fixed32Bits() {
    need(4);
    int v = buf.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), pos);
    pos += 4;
    return v;
  }

  MemorySegment segment() {
    return buf;
  }

  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> varint();
      case FIXED64 -> advance(8);
      case LENGTH_DELIMITED -> span();
      case FIXED32 -> advance(4);
      default -> throw corrupt("unsupported wire type " + wireType + " (groups are not used by ONNX)");
    }
  }

  private void advance(long n) {
    need(n);
    pos += n;
  }

  private void need(long n) {
    if (n > end - pos) {
      throw corrupt("a field needs " + n + " bytes at offset " + pos + " but its message ends at " + end
              + " (file truncated?)");
    }
  }

  WeightsException corrupt(String what) {
    return new WeightsException("corrupt ONNX protobuf in " + source + ": " + what);
  }
}
