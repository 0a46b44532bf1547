package dev.fidelio.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzzes the pickle interpreter behind the torch.save reader (data.pkl; every storage is 64 bytes).
 * Any outcome but a state_dict or a {@link WeightsException} (a Java cast, index or stack error,
 * a hang) is a finding. Regression inputs: PickleFuzzTestInputs/.
 */
class PickleFuzzTest {
  private static final byte[] STORAGE = new byte[64];

  @FuzzTest
  void pickle(byte[] data) {
    try {
      TorchCheckpointReader.fromPickle(Path.of("fuzz.pth"), data, key -> STORAGE);
    } catch (WeightsException expected) {
      // a malformed or unsupported checkpoint, named as such
    }
  }
}
