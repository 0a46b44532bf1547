package dev.fidelio.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HF {@code BertModel} state_dict keys and shapes a config implies, the normalisation of
 * {@code BertFor*} checkpoints to those keys, and the strict check (nanoGPT's from_pretrained:
 * key sets compared both ways, every shape checked) that weights fit a config.
 */
public final class BertKeys {
  private BertKeys() {}

  /** Checkpoint weights under BertModel keys, plus the keys that were dropped and why. */
  public record Normalized(StateDict weights, List<String> ignored) {}

  /** Every BertModel parameter key, in HF's registration order, with its PyTorch shape. */
  public static Map<String, long[]> expectedShapes(BertConfig c) {
    long h = c.hiddenSize(), i = c.intermediateSize();
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
    m.put("embeddings.position_embeddings.weight", new long[] {c.maxPositionEmbeddings(), h});
    m.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
    m.put("embeddings.LayerNorm.weight", new long[] {h});
    m.put("embeddings.LayerNorm.bias", new long[] {h});
    for (int n = 0; n < c.numHiddenLayers(); n++) {
      String l = "encoder.layer." + n + ".";
      for (String qkv : List.of("query", "key", "value")) linear(m, l + "attention.self." + qkv, h, h);
      linear(m, l + "attention.output.dense", h, h);
      layerNorm(m, l + "attention.output.LayerNorm", h);
      linear(m, l + "intermediate.dense", i, h);
      linear(m, l + "output.dense", h, i);
      layerNorm(m, l + "output.LayerNorm", h);
    }
    linear(m, "pooler.dense", h, h);
    return m;
  }

  public static boolean isPooler(String key) {
    return key.startsWith("pooler.");
  }

  /**
   * Maps a BertModel or BertFor* checkpoint to BertModel keys: strips the {@code bert.} prefix,
   * renames TF-era {@code LayerNorm.gamma/beta} to {@code weight/bias} (as HF does on load), and
   * drops task heads ({@code cls.*}, {@code classifier.*}, {@code qa_outputs.*}) and the
   * {@code position_ids} buffer, listing each dropped key.
   */
  public static Normalized normalize(StateDict raw) {
    List<NamedTensor> kept = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (NamedTensor t : raw) {
      String key = t.name();
      if (key.startsWith("bert.")) key = key.substring("bert.".length());
      if (key.startsWith("cls.") || key.startsWith("classifier.") || key.startsWith("qa_outputs.")) {
        ignored.add(t.name() + " (task head of a BertFor* checkpoint; Fidelio builds its own output features)");
        continue;
      }
      if (key.endsWith("position_ids")) {
        ignored.add(t.name() + " (buffer, not a parameter)");
        continue;
      }
      if (key.endsWith(".LayerNorm.gamma")) key = key.substring(0, key.length() - "gamma".length()) + "weight";
      if (key.endsWith(".LayerNorm.beta")) key = key.substring(0, key.length() - "beta".length()) + "bias";
      kept.add(key.equals(t.name()) ? t : t.renamed(key));
    }
    return new Normalized(new StateDict(kept), List.copyOf(ignored));
  }

  /**
   * Checks weights against the config's BertModel keys and shapes. Only the pooler may be missing
   * (HF initialises it at random then, with a warning); its absence is returned as a note.
   */
  public static List<String> check(StateDict weights, BertConfig config, String source) {
    Map<String, long[]> expected = expectedShapes(config);
    List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), wrongShape = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    expected.forEach((key, shape) -> {
      NamedTensor t = weights.get(key);
      if (t == null) {
        if (isPooler(key)) {
          notes.add(source + " has no " + key + ": the pooler starts from random values");
        } else {
          missing.add(key);
        }
      } else if (!Arrays.equals(t.shape(), shape)) {
        wrongShape.add(key + " is " + Arrays.toString(t.shape()) + ", config implies " + Arrays.toString(shape));
      }
    });
    for (String key : weights.names()) {
      if (!expected.containsKey(key)) unexpected.add(key);
    }
    if (missing.isEmpty() && unexpected.isEmpty() && wrongShape.isEmpty()) return List.copyOf(notes);
    StringBuilder msg = new StringBuilder("weights in " + source + " do not fit its BERT config ("
            + config.numHiddenLayers() + " layers, hidden " + config.hiddenSize() + ", vocab " + config.vocabSize() + "):");
    if (!missing.isEmpty()) msg.append("\n  missing keys: ").append(abbreviate(missing));
    if (!unexpected.isEmpty()) msg.append("\n  unexpected keys: ").append(abbreviate(unexpected));
    if (!wrongShape.isEmpty()) msg.append("\n  wrong shapes: ").append(abbreviate(wrongShape));
    msg.append("\n  Check that config.json belongs to these weights and that the checkpoint is a BertModel/BertFor* one.");
    throw new WeightsException(msg.toString());
  }

  /** The same tensors in BertModel registration order (what named_parameters() yields), extras last. */
  public static StateDict inModelOrder(StateDict weights, BertConfig config) {
    List<NamedTensor> ordered = new ArrayList<>();
    Map<String, long[]> expected = expectedShapes(config);
    for (String key : expected.keySet()) {
      if (weights.contains(key)) ordered.add(weights.get(key));
    }
    for (NamedTensor t : weights) {
      if (!expected.containsKey(t.name())) ordered.add(t);
    }
    return new StateDict(ordered);
  }

  private static String abbreviate(List<String> items) {
    return items.size() <= 12 ? items.toString()
            : items.subList(0, 12) + " and " + (items.size() - 12) + " more";
  }

  private static void linear(Map<String, long[]> m, String prefix, long out, long in) {
    m.put(prefix + ".weight", new long[] {out, in});
    m.put(prefix + ".bias", new long[] {out});
  }

  private static void layerNorm(Map<String, long[]> m, String prefix, long h) {
    m.put(prefix + ".weight", new long[] {h});
    m.put(prefix + ".bias", new long[] {h});
  }
}
