package dev.fidelio.store;

import dev.fidelio.weights.NamedTensor;
import dev.fidelio.weights.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests of what the store key names by content: dataset files, tokenizers, encoder weights. */
public final class Digests {
  private Digests() {}

  public static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to hash it: " + e.getMessage(), e);
    }
  }

  public static String sha256(InputStream in) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[1 << 20];
    for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newDigest().digest(bytes));
  }

  /** Every tensor's name, shape and float32 values (little-endian), in state order. */
  public static String sha256(StateDict weights) {
    MessageDigest digest = newDigest();
    ByteBuffer values = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (NamedTensor t : weights) {
      digest.update(t.name().getBytes(StandardCharsets.UTF_8));
      ByteBuffer shape = ByteBuffer.allocate(8 * (t.rank() + 1)).order(ByteOrder.LITTLE_ENDIAN);
      shape.putLong(t.rank());
      for (long d : t.shape()) shape.putLong(d);
      digest.update(shape.flip());
      float[] data = t.data();
      for (int start = 0; start < data.length; start += values.capacity() / Float.BYTES) {
        int n = Math.min(values.capacity() / Float.BYTES, data.length - start);
        values.clear();
        values.asFloatBuffer().put(data, start, n);
        digest.update(values.limit(n * Float.BYTES));
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
