package dev.fidelio.features;

import dev.fidelio.weights.TextEncoderInfo;
import dev.fidelio.weights.TransformerConfig;

/**
 * What a text input needs at predict time, saved with the model: the encoder's config.json (its
 * weights are in the model's weights file) and the sizes the native family built from it, the
 * tokenizer file copied into the model folder, and the preprocessing that produced the training tokens.
 *
 * @param source where the pretrained encoder came from (for the record)
 * @param tokenizerFile the tokenizer.json's file name inside the model folder
 * @param padTokenId the tokenizer's padding id (config.json's pad_token_id when the tokenizer has none)
 */
public record TextMetadata(String source, TransformerConfig encoderConfig, TextEncoderInfo encoderInfo,
                           String tokenizerFile, int maxSequenceLength, long padTokenId, String fillValue) {}
