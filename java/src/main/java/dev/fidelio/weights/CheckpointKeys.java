package dev.fidelio.weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps a hub checkpoint's keys to the base model's (what the native module names its state): the
 * task model's attribute prefix is stripped (RobertaForSequenceClassification keeps the encoder
 * under {@code roberta.}), task heads and buffers are dropped, TF-era LayerNorm.gamma/beta renamed
 * as HF renames them on load. Everything else goes to the native loader, which is strict.
 */
public final class CheckpointKeys {
  private CheckpointKeys() {}

  /** Checkpoint weights under base-model keys and one note for the heads dropped (empty if none). */
  public record Normalized(StateDict weights, List<String> notes) {}

  /**
   * The attribute each family's *For* task models keep the base model under (modeling_*.py):
   * XLM-R and CamemBERT subclass RoBERTa's task models, so they use {@code roberta.} too.
   */
  static final Map<String, String> TASK_PREFIX = Map.of("bert", "bert.", "roberta", "roberta.", "xlm-roberta",
      "roberta.", "camembert", "roberta.", "electra", "electra.", "distilbert", "distilbert.", "albert", "albert.",
      "mpnet", "mpnet.", "deberta-v2", "deberta.", "modernbert", "model.");

  /** Heads of the families' *For* models (after the prefix is stripped): never part of the encoder. */
  static final List<String> HEAD_PREFIXES = List.of("lm_head.", "cls.", "classifier.", "pre_classifier.",
      "qa_outputs.", "generator_", "discriminator_predictions.", "vocab_", "head.", "decoder.", "predictions.",
      "sop_classifier.", "lm_predictions.", "mask_predictions.");

  public static Normalized normalize(StateDict raw, TransformerConfig config) {
    String prefix = TASK_PREFIX.getOrDefault(config.modelType(), config.modelType() + ".");
    // DeBERTa-v2 without absolute positions (v3) still saves the unused table; HF ignores it too.
    boolean dropPositions = "deberta-v2".equals(config.modelType())
        && Boolean.FALSE.equals(config.fields().getOrDefault("position_biased_input", Boolean.TRUE));
    List<NamedTensor> kept = new ArrayList<>();
    List<String> heads = new ArrayList<>();
    for (NamedTensor t : raw) {
      String key = t.name().startsWith(prefix) ? t.name().substring(prefix.length()) : t.name();
      if (HEAD_PREFIXES.stream().anyMatch(key::startsWith)) {
        heads.add(t.name());
        continue;
      }
      if (key.endsWith("position_ids") || key.endsWith("token_type_ids")) continue; // buffers, not weights
      if (dropPositions && key.equals("embeddings.position_embeddings.weight")) continue;
      if (key.endsWith("LayerNorm.gamma")) key = key.substring(0, key.length() - "gamma".length()) + "weight";
      if (key.endsWith("LayerNorm.beta")) key = key.substring(0, key.length() - "beta".length()) + "bias";
      kept.add(key.equals(t.name()) ? t : t.renamed(key));
    }
    List<String> notes = heads.isEmpty() ? List.of() : List.of("ignored " + heads.size() + " task head weights "
        + abbreviate(heads) + " (Fidelio builds its own output features)");
    return new Normalized(new StateDict(kept), notes);
  }

  private static String abbreviate(List<String> items) {
    return items.size() <= 6 ? items.toString() : items.subList(0, 6) + " and " + (items.size() - 6) + " more";
  }
}
