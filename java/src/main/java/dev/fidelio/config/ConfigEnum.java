package dev.fidelio.config;

import java.util.Locale;

/**
 * An enum whose YAML spelling is its constant name in lower case, as Ludwig spells its options;
 * an option spelled {@code null} in YAML (a norm or activation turned off) has a null yamlName.
 */
interface ConfigEnum {
    String name();

    default String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
