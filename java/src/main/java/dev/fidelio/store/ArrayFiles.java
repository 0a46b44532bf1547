package dev.fidelio.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The store's array files: raw elements in the machine's byte order, no header (shape, dtype and
 * checksum are in the entry's manifest), so a file maps straight onto a MemorySegment. CRC32C,
 * not a cryptographic hash, because it guards against torn writes and bit rot, and runs at memory
 * speed on every open.
 */
final class ArrayFiles {
  private static final int CHUNK = 1 << 20;
  private static final long MAP_SLICE = 1L << 30;

  private ArrayFiles() {}

  /** Writes data to a new file, forced to disk; returns its CRC32C. data may be on the heap. */
  static long write(Path file, MemorySegment data) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] staging = new byte[(int) Math.min(CHUNK, Math.max(1, data.byteSize()))];
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long offset = 0; offset < data.byteSize(); offset += staging.length) {
        int n = (int) Math.min(staging.length, data.byteSize() - offset);
        MemorySegment.copy(data, offset, MemorySegment.ofArray(staging), 0, n);
        crc.update(staging, 0, n);
        ByteBuffer buffer = ByteBuffer.wrap(staging, 0, n);
        while (buffer.hasRemaining()) out.write(buffer);
      }
      out.force(true);
    }
    return crc.getValue();
  }

  /**
   * Maps file read-only. The mapping is released by the garbage collector once no column refers to
   * it (Arena.ofAuto): datasets are shared freely and have no close of their own.
   */
  static MemorySegment map(Path file) throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      if (size == 0) return MemorySegment.NULL; // mmap cannot map nothing; NULL is an empty native segment
      return in.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
    }
  }

  /** CRC32C of a mapped (or any native) segment. */
  static long crc32c(MemorySegment data) {
    CRC32C crc = new CRC32C();
    for (long offset = 0; offset < data.byteSize(); offset += MAP_SLICE) {
      crc.update(data.asSlice(offset, Math.min(MAP_SLICE, data.byteSize() - offset)).asByteBuffer());
    }
    return crc.getValue();
  }
}
