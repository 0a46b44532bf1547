package dev.fidelio.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Fuzzes the safetensors reader: anything but contents or a {@link WeightsException} is a finding. */
class SafetensorsFuzzTest {
  @FuzzTest
  void safetensors(byte[] data) {
    try {
      SafetensorsReader.parse(MemorySegment.ofArray(data), Path.of("fuzz.safetensors"));
    } catch (WeightsException expected) {
      // a corrupt file, named as such
    }
  }
}
