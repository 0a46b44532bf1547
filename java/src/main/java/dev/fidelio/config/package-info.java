/**
 * The typed, validated model config: Ludwig's YAML keys and defaults as sealed Java records.
 *
 * <p>Entry points: {@link dev.fidelio.config.FidelioConfig#load}, {@link dev.fidelio.config.FidelioConfig#parse}
 * and {@link dev.fidelio.config.FidelioConfig#toYaml}. Jackson reads the YAML into a tree (syntax errors carry
 * line and column); each record's static {@code read} then takes the keys of its own YAML section through a
 * {@code ConfigNode}, which fills the default when a key is absent and reports a wrong type, a value out of
 * range or an unknown option with its path instead of throwing. Rules that span keys (a cached encoder must
 * be frozen, split probabilities sum to 1, feature names are unique) sit in the {@code read} of the smallest
 * section that holds both keys. After every section is read, unknown keys are reported with a "did you
 * mean"; only then, if anything was reported, is a single {@link dev.fidelio.config.ConfigException}
 * thrown with all problems.
 *
 * <p>So each Ludwig key, its default and its allowed values appear in exactly one place: the {@code read}
 * method of the record that holds it, next to the matching {@code toYamlNode} that renders it back.
 * Sections with a {@code type} discriminator are sealed interfaces, so code that builds the model switches
 * over them exhaustively.
 *
 * <p><b>Internal:</b> not part of Fidelio's API, which is {@link dev.fidelio.api}; public only so that
 * Fidelio's own packages can use it, and free to change in any release. Applications build configs
 * with the API's {@code ModelConfig} (config sits below the API, so no link up to it).
 */
package dev.fidelio.config;
