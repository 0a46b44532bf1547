package dev.fidelio.features;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classes of a category feature, fitted on the training split only: most frequent first
 * (ties in order of first appearance), at most {@code mostCommon} of them. Ludwig's idx2str.
 */
public record CategoryVocabulary(List<String> idx2str) {
  public CategoryVocabulary {
    idx2str = List.copyOf(idx2str);
  }

  public static CategoryVocabulary fit(List<String> trainingValues, Integer mostCommon) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String v : trainingValues) {
      if (v != null) counts.merge(v, 1, Integer::sum);
    }
    List<String> classes = new ArrayList<>(counts.keySet());
    classes.sort(Comparator.comparing((String c) -> -counts.get(c))); // stable: ties keep first-seen order
    if (mostCommon != null && classes.size() > mostCommon) classes = classes.subList(0, mostCommon);
    return new CategoryVocabulary(classes);
  }

  public int size() {
    return idx2str.size();
  }

  /** The class index of value, or -1 when it was not seen in training. */
  public int index(String value) {
    return lookup().getOrDefault(value, -1);
  }

  private Map<String, Integer> lookup() {
    Map<String, Integer> map = new HashMap<>();
    for (int i = 0; i < idx2str.size(); i++) map.put(idx2str.get(i), i);
    return map;
  }
}
