package dev.kiln.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of everything Kiln prints about its configuration: {@code config check}, and
 * problem messages that quote a value. Errs towards hiding too much.
 */
final class Redaction {

  static final String REDACTED = "<redacted>";

  // A query parameter whose name mentions a secret: ?password=, &sslpassword=, ?token=...
  private static final Pattern SECRET_PARAM = Pattern.compile(
      "([?&][^=&#]*(?:password|secret|token)[^=&#]*=)[^&#]+", Pattern.CASE_INSENSITIVE);

  private Redaction() {}

  /**
   * Whether the whole value of a key is a secret. Decided by name, so a key added later called
   * {@code webhook_secret} or {@code admin_password} is hidden without anyone remembering to list it.
   */
  static boolean isSecretKey(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.endsWith("secret") || k.contains("password") || k.endsWith("token");
  }

  /** The value as it may be shown for {@code key}. */
  static String value(String key, String value) {
    if (isSecretKey(key)) {
      return value.isEmpty() ? value : REDACTED;
    }
    return url(value);
  }

  /**
   * {@code postgresql://user:secret@host/db?password=x} → {@code postgresql://user:<redacted>@host/db?password=<redacted>}.
   * Strings that are not URLs come back unchanged.
   */
  static String url(String value) {
    int scheme = value.indexOf("://");
    if (scheme < 0) {
      return value;
    }
    int authorityStart = scheme + 3;
    // The userinfo ends at the last '@' before the query: a password may hold an unencoded '/' or
    // '@', and hiding too much beats printing half a password.
    int queryStart = indexOfAny(value, authorityStart, '?', '#');
    int at = value.lastIndexOf('@', queryStart - 1);
    String result = value;
    if (at >= authorityStart) {
      int colon = value.indexOf(':', authorityStart);
      if (colon >= 0 && colon < at) {
        result = value.substring(0, colon + 1) + REDACTED + value.substring(at);
      }
    }
    return SECRET_PARAM.matcher(result).replaceAll("$1" + REDACTED);
  }

  private static int indexOfAny(String s, int from, char a, char b) {
    for (int i = from; i < s.length(); i++) {
      if (s.charAt(i) == a || s.charAt(i) == b) {
        return i;
      }
    }
    return s.length();
  }
}
