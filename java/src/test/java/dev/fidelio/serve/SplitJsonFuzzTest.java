package dev.fidelio.serve;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fidelio.api.InvalidInputException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes /batch_predict's dataset field (pandas' split orientation): anything but rows or an
 * {@link InvalidInputException} (answered 400) is a finding.
 */
class SplitJsonFuzzTest {
  @FuzzTest
  void splitJson(byte[] data) {
    try {
      SplitJson.parse(new String(data, StandardCharsets.UTF_8));
    } catch (InvalidInputException expected) {
      // a malformed dataset field, answered 400
    }
  }
}
