package dev.kiln.gateway;

/**
 * Whether every {@code %} escape of a request URI is well formed. Checked once at admission, so
 * routing and parameter parsing never meet a URI that cannot be decoded (a client error, not 500).
 */
final class UriCheck {

  private UriCheck() {}

  static boolean decodes(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      if (uri.charAt(i) == '%') {
        if (i + 2 >= uri.length() || !hex(uri.charAt(i + 1)) || !hex(uri.charAt(i + 2))) {
          return false;
        }
        i += 2;
      }
    }
    return true;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
