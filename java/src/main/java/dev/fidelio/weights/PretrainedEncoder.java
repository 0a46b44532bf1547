package dev.fidelio.weights;

import java.util.List;
import java.util.Optional;

/**
 * A pretrained text encoder checkpoint ready to copy into the native module: its config.json, its
 * weights under the base model's keys (task prefix stripped, heads dropped; the native loader checks
 * them strictly against the module), its tokenizer, and notes for the user.
 */
public record PretrainedEncoder(
        String requested,
        String source,
        TransformerConfig config,
        StateDict weights,
        Optional<TokenizerJson> tokenizer,
        List<String> notes) {}
