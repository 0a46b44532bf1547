package dev.fidelio.data;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The closest known name to a misspelt one, for error messages ("did you mean 'label'?"). */
final class DidYouMean {
  private DidYouMean() {}

  /** The candidate within edit distance max(2, len/3) of {@code wanted}, ignoring case; else empty. */
  static Optional<String> closest(String wanted, Collection<String> candidates) {
    String w = wanted.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Math.max(2, w.length() / 3) + 1;
    for (String c : candidates) {
      int d = distance(w, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Levenshtein distance with two rows: names are short, so O(n*m) is nothing. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
