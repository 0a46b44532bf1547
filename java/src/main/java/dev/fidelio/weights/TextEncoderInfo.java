package dev.fidelio.weights;

/**
 * What the native family built from a config.json (fdl_text_encoder_info): the sizes tokenising,
 * caching and the heads need, so Java never re-derives a family's defaults.
 *
 * @param maxSequenceLength the longest input its positions allow (RoBERTa: positions - pad - 1)
 * @param padTokenId -1 when the config has none
 * @param hasPooler 0 when cls_pooled takes the first token's hidden state
 */
public record TextEncoderInfo(long hiddenSize, long vocabSize, long maxSequenceLength, long padTokenId, int hasPooler) {}
