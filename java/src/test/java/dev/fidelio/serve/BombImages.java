package dev.fidelio.serve;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Decompression bombs: a valid PNG header declaring a huge size, with one small compressed row. */
public final class BombImages {
  private BombImages() {}

  /** An 8-bit gray PNG of width x height; the IDAT holds only the first row (a decoder that starts fails later). */
  public static byte[] png(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(width);
    h.writeInt(height);
    h.write(new byte[] {8, 0, 0, 0, 0});  // 8 bits, gray, deflate, no filter, no interlace
    chunk(out, "IHDR", ihdr.toByteArray());
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[width + 1]);
    deflater.finish();
    byte[] compressed = new byte[width + 64];
    int n = deflater.deflate(compressed);
    chunk(out, "IDAT", java.util.Arrays.copyOf(compressed, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(data.length);
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    d.write(name);
    d.write(data);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    d.writeInt((int) crc.getValue());
  }
}
