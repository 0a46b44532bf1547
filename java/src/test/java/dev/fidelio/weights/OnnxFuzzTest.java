package dev.fidelio.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;

/**
 * Fuzzes the ONNX protobuf reader and the decoding of each floating-point initializer: anything but
 * tensors or a {@link WeightsException} is a finding.
 */
class OnnxFuzzTest {
  @FuzzTest
  void onnx(byte[] data) {
    try {
      OnnxGraph graph = OnnxGraph.parse(MemorySegment.ofArray(data), "fuzz.onnx");
      for (OnnxGraph.Initializer init : graph.initializers()) {
        if (init.isFloatingPoint()) init.toTensor(init.name(), "fuzz.onnx");
      }
    } catch (WeightsException expected) {
      // a corrupt or unsupported model, named as such
    }
  }
}
