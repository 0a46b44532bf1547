package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torch.save reader on hand-assembled archives: the pickle opcodes PyTorch writes for a
 * state_dict (values checked element by element, strided views included), and clear errors for
 * files that are not checkpoints, corrupt ones, and pickles that would run code.
 */
class TorchCheckpointReaderTest {
  @TempDir Path dir;

  /** A pickle writer for the opcodes torch.save uses (protocol 2). */
  private static final class Pickle {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int... bytes) {
      for (int b : bytes) out.write(b);
      return this;
    }

    Pickle global(String module, String name) {
      return op('c').raw(module + "\n" + name + "\n");
    }

    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X').op(b.length & 0xFF, 0, 0, 0);
      out.writeBytes(b);
      return this;
    }

    Pickle raw(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    Pickle int1(int v) {
      return op('K', v);
    }

    /** _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict()) */
    Pickle tensor(String storageType, String key, int numel, int offset, int[] size, int[] stride) {
      global("torch._utils", "_rebuild_tensor_v2").op('(');
      op('(').str("storage").global("torch", storageType).str(key).str("cpu").int1(numel).op('t').op('Q');
      int1(offset).op('(');
      for (int s : size) int1(s);
      op('t', '(');
      for (int s : stride) int1(s);
      op('t', 0x89).global("collections", "OrderedDict").op(')', 'R').op('t', 'R');
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  private Path archive(String name, byte[] pickle, Map<String, byte[]> storages) throws IOException {
    Path file = dir.resolve(name + ".pth");
    try (var zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry(name + "/data.pkl"));
      zip.write(pickle);
      for (var e : storages.entrySet()) {
        zip.putNextEntry(new ZipEntry(name + "/data/" + e.getKey()));
        zip.write(e.getValue());
      }
    }
    return file;
  }

  private static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return b.array();
  }

  private static byte[] longs(long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) b.putLong(v);
    return b.array();
  }

  @Test
  void readsTensorsViewsAndIntegerBuffers() throws IOException {
    Pickle p = new Pickle().op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', '(');
    p.str("w").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {3, 1});
    // the transpose of the same storage: a non-contiguous view
    p.str("w_t").tensor("FloatStorage", "0", 6, 0, new int[] {3, 2}, new int[] {1, 3});
    p.str("tail").tensor("FloatStorage", "0", 6, 4, new int[] {2}, new int[] {1});
    p.str("count").tensor("LongStorage", "1", 1, 0, new int[] {}, new int[] {});
    p.op('u').op('.');
    Path file = archive("archive", p.bytes(), Map.of("0", floats(1, 2, 3, 4, 5, 6), "1", longs(42)));

    StateDict state = TorchCheckpointReader.read(file);
    assertEquals(java.util.List.of("w", "w_t", "tail", "count"), java.util.List.copyOf(state.names()));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, state.require("w").data());
    assertArrayEquals(new long[] {3, 2}, state.require("w_t").shape());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, state.require("w_t").data());
    assertArrayEquals(new float[] {5, 6}, state.require("tail").data());
    assertArrayEquals(new float[] {42}, state.require("count").data());
  }

  @Test
  void refusesPicklesThatWouldRunCode() throws IOException {
    byte[] evil = new Pickle().op(0x80, 2).global("os", "system").str("touch /tmp/pwned").op(0x85, 'R', '.').bytes();
    var e = assertThrows(WeightsException.class, () -> TorchCheckpointReader.read(archive("evil", evil, Map.of())));
    assertTrue(e.getMessage().contains("os.system is not supported") && e.getMessage().contains("runs no code"),
        e.getMessage());
  }

  @Test
  void explainsFilesThatAreNotCheckpoints() throws IOException {
    Path text = dir.resolve("notes.pth");
    Files.writeString(text, "not a checkpoint");
    var notZip = assertThrows(WeightsException.class, () -> TorchCheckpointReader.read(text));
    assertTrue(notZip.getMessage().contains("not a zip archive"), notZip.getMessage());

    var missing = assertThrows(WeightsException.class, () -> TorchCheckpointReader.read(dir.resolve("nope.pth")));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

    Path noPickle = dir.resolve("other.zip");
    try (var zip = new ZipOutputStream(Files.newOutputStream(noPickle))) {
      zip.putNextEntry(new ZipEntry("readme.txt"));
    }
    var notTorch = assertThrows(WeightsException.class, () -> TorchCheckpointReader.read(noPickle));
    assertTrue(notTorch.getMessage().contains("data.pkl"), notTorch.getMessage());
  }

  @Test
  void reportsCorruptArchives() throws IOException {
    Pickle p = new Pickle().op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', '(');
    p.str("w").tensor("FloatStorage", "0", 6, 0, new int[] {2, 3}, new int[] {3, 1}).op('u', '.');
    byte[] whole = p.bytes();

    var truncated = assertThrows(WeightsException.class, () -> TorchCheckpointReader.read(
        archive("cut", java.util.Arrays.copyOf(whole, whole.length - 5), Map.of("0", floats(1, 2, 3, 4, 5, 6)))));
    assertTrue(truncated.getMessage().contains("corrupt PyTorch checkpoint"), truncated.getMessage());

    var shortStorage = assertThrows(WeightsException.class,
        () -> TorchCheckpointReader.read(archive("short", whole, Map.of("0", floats(1, 2, 3)))));
    assertTrue(shortStorage.getMessage().contains("reads past its storage"), shortStorage.getMessage());

    var noStorage = assertThrows(WeightsException.class,
        () -> TorchCheckpointReader.read(archive("nostorage", whole, Map.of())));
    assertTrue(noStorage.getMessage().contains("storage '0'"), noStorage.getMessage());
  }
  @Test
  void hostilePicklesAreCorruptCheckpointsNamingTheFile() throws IOException {
    // {'state_dict': <itself>}: unwrapping it once recursed until the stack overflowed.
    byte[] recursive = new Pickle().op(0x80, 2).op('}', 'q', 0).str("state_dict").op('h', 0, 's', '.').bytes();
    // a list as a dict key, and a list that contains itself as that key's content
    byte[] listKey = new Pickle().op(0x80, 2).op('}', ']', 'q', 1, 'h', 1, 'a').int1(1).op('s', '.').bytes();
    // NEWOBJ whose arguments are not a tuple (was a ClassCastException)
    byte[] newobj = new Pickle().op(0x80, 2).global("collections", "OrderedDict").int1(3).op(0x81, '.').bytes();
    // a stride near 2^62 made the bound (size - 1) * stride wrap to a small number
    Pickle huge = new Pickle().op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', '(');
    huge.str("w").global("torch._utils", "_rebuild_tensor_v2").op('(');
    huge.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(6).op('t').op('Q');
    huge.int1(0).op('(').int1(5).op('t', '(').op(0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x40).op('t', 0x89)
        .global("collections", "OrderedDict").op(')', 'R').op('t', 'R').op('u', '.');
    Map<String, byte[]> storage = Map.of("0", floats(1, 2, 3, 4, 5, 6));
    for (var c : Map.of("recursive", recursive, "listkey", listKey, "newobj", newobj, "stride", huge.bytes()).entrySet()) {
      Path file = archive(c.getKey(), c.getValue(), storage);
      var e = assertThrows(WeightsException.class, () -> TorchCheckpointReader.read(file), c.getKey());
      assertTrue(e.getMessage().startsWith("corrupt PyTorch checkpoint " + file), c.getKey() + ": " + e.getMessage());
    }
  }
}
