package dev.kiln.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** TOML keys are the snake_case of record component names; unknown keys get a did-you-mean. */
final class KeyNames {

  private KeyNames() {}

  static String snake(String camel) {
    var out = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The candidate closest to {@code unknown}: same letters ignoring case and separators
   * ({@code poolSize}, {@code pool-size}), else an edit distance of at most 2 (1 for short names, where
   * 2 edits turn almost anything into anything).
   */
  static Optional<String> closest(String unknown, Collection<String> candidates) {
    String normalized = normalize(unknown);
    for (String candidate : candidates) {
      if (normalize(candidate).equals(normalized)) {
        return Optional.of(candidate);
      }
    }
    int limit = unknown.length() <= 3 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(unknown.toLowerCase(Locale.ROOT), candidate);
      if (d <= limit && d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  private static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /** Optimal string alignment distance: Levenshtein plus adjacent transpositions (prot → port). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
