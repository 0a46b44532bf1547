package dev.fidelio.features;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
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
public final class CategoryVocabulary {
  private final List<String> idx2str;
  private final Map<String, Integer> str2idx = new HashMap<>();

  @JsonCreator
  public CategoryVocabulary(@JsonProperty("idx2str") List<String> idx2str) {
    this.idx2str = List.copyOf(idx2str);
    for (int i = 0; i < this.idx2str.size(); i++) str2idx.put(this.idx2str.get(i), i);
  }

  @JsonProperty("idx2str")
  public List<String> idx2str() {
    return idx2str;
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

  @JsonIgnore
  public int size() {
    return idx2str.size();
  }

  /** The class index of value, or -1 when it was not seen in training. */
  public int index(String value) {
    return str2idx.getOrDefault(value, -1);
  }
}
