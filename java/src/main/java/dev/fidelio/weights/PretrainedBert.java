package dev.fidelio.weights;

import java.util.List;
import java.util.Optional;

/**
 * A BERT checkpoint ready to copy into the encoder: its config, its weights under HF BertModel
 * keys in registration order (already checked against the config; only the pooler may be
 * absent), its tokenizer, and notes for the user (dropped task-head keys, a missing pooler).
 */
public record PretrainedBert(
        String requested,
        String source,
        BertConfig config,
        StateDict weights,
        Optional<TokenizerJson> tokenizer,
        List<String> notes) {

  public boolean hasPooler() {
    return weights.contains("pooler.dense.weight");
  }
}
