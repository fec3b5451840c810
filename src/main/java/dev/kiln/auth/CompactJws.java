package dev.kiln.auth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JWT in JWS compact serialization ({@code header.payload.signature}, RFC 7515 section 7.1),
 * parsed but not yet trusted: nothing here has been verified.
 */
record CompactJws(
    JwsAlgorithm alg, String kid, Map<String, Object> claims, byte[] signingInput,
    byte[] signature) {

  /** Far above any sane JWT, low enough that a hostile header cannot make us parse megabytes. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  // Duplicate member names are rejected: parsers that disagree on which duplicate wins are how a
  // claim that was checked differs from the one that is used.
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};

  static CompactJws parse(String token) {
    if (token == null || token.isEmpty()) {
      throw invalid("no token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw invalid("token is longer than " + MAX_TOKEN_CHARS + " characters");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length == 5) {
      throw invalid("encrypted tokens (JWE) are not supported; send a signed JWT");
    }
    if (parts.length != 3) {
      throw invalid("token is not a JWT: expected three dot-separated parts");
    }
    Map<String, Object> header = object(parts[0], "header");
    Object algValue = header.get("alg");
    if (!(algValue instanceof String algName)) {
      throw invalid("token header has no alg");
    }
    if (algName.equalsIgnoreCase("none")) {
      throw new AuthException(AuthException.UNSUPPORTED_ALGORITHM,
          "unsigned tokens (alg none) are not accepted");
    }
    // The token's alg is never echoed back: it is attacker-chosen text.
    JwsAlgorithm alg = JwsAlgorithm.named(algName).orElseThrow(() -> new AuthException(
        AuthException.UNSUPPORTED_ALGORITHM, "token algorithm is not supported"));
    // RFC 7515 4.1.11: a recipient must reject a token with critical extensions it does not
    // understand, and we understand none (this also rules out unencoded payloads, RFC 7797).
    if (header.containsKey("crit")) {
      throw invalid("token header has critical extensions (crit), which are not supported");
    }
    // jku, x5u, jwk and x5c are ignored on purpose: keys come only from configuration, never from
    // the token that is asking to be trusted.
    Object kidValue = header.get("kid");
    if (kidValue != null && !(kidValue instanceof String)) {
      throw invalid("token header kid must be a string");
    }
    Map<String, Object> claims = object(parts[1], "payload");
    byte[] signature = decode(parts[2], "signature");
    if (signature.length == 0) {
      throw new AuthException(AuthException.INVALID_SIGNATURE, "token has no signature");
    }
    byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    return new CompactJws(alg, (String) kidValue, claims, signingInput, signature);
  }

  static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Strict base64url: RFC 7515 section 2 forbids padding, and line breaks or spaces are not it. */
  static byte[] decode(String part, String what) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      if (!ok) {
        throw invalid("token " + what + " is not base64url");
      }
    }
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw invalid("token " + what + " is not base64url");
    }
  }

  private static Map<String, Object> object(String part, String what) {
    byte[] json = decode(part, what);
    try {
      Map<String, Object> map = JSON.readValue(json, OBJECT);
      if (map == null) {
        throw invalid("token " + what + " is not a JSON object");
      }
      return map;
    } catch (IOException e) {
      throw invalid("token " + what + " is not a JSON object");
    }
  }

  private static AuthException invalid(String message) {
    return new AuthException(AuthException.INVALID_TOKEN, message);
  }
}
