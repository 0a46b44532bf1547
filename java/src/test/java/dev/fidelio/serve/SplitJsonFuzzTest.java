package dev.fidelio.serve;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fidelio.api.InvalidInputException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes /batch_predict's dataset field (pandas' split orientation): anything but rows, an
 * {@link InvalidInputException} (answered 400) or {@link MicroBatcher.TooManyRows} (413) is a finding.
 */
class SplitJsonFuzzTest {
  @FuzzTest
  void splitJson(byte[] data) {
    try {
      SplitJson.parse(new String(data, StandardCharsets.UTF_8), 64);
    } catch (InvalidInputException | MicroBatcher.TooManyRows expected) {
      // a malformed dataset field (400), or more than 64 rows (413)
    }
  }
}
