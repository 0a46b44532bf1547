package dev.fidelio.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the config reader from YAML text to a validated config: anything but a config or a
 * {@link ConfigException} listing the problems is a finding.
 */
class ConfigYamlFuzzTest {
  @FuzzTest
  void config(byte[] data) {
    try {
      FidelioConfig.parse(new String(data, StandardCharsets.UTF_8));
    } catch (ConfigException expected) {
      // an invalid config, with every problem named
    }
  }
}
