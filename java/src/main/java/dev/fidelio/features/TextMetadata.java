package dev.fidelio.features;

import dev.fidelio.weights.BertConfig;

/**
 * What a text input needs at predict time, saved with the model: the encoder's architecture (its
 * weights are in the model's weights file), the tokenizer file copied into the model folder, and
 * the preprocessing that produced the training tokens.
 *
 * @param source where the pretrained encoder came from (for the record)
 * @param tokenizerFile the tokenizer.json's file name inside the model folder
 */
public record TextMetadata(String source, BertConfig encoderConfig, String tokenizerFile, int maxSequenceLength,
                           String fillValue) {}
