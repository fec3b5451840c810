package dev.kiln.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usable signing keys of a JWKS document (RFC 7517). Keys we cannot or must not use are
 * skipped with a log line rather than failing the whole set, so one exotic key in an identity
 * provider's JWKS does not lock everyone out.
 */
record JwkSet(List<Jwk> keys) {

  private static final Logger log = LoggerFactory.getLogger(JwkSet.class);

  /** RFC 7518 section 3.3: RSA keys of 2048 bits or more. */
  static final int MIN_RSA_BITS = 2048;

  static final JwkSet EMPTY = new JwkSet(List.of());

  /** One public key, with what the JWKS says it may be used for. */
  record Jwk(String kid, String alg, String curve, PublicKey key) {

    /** Whether a token signed with {@code tokenAlg} may be checked with this key. */
    boolean accepts(JwsAlgorithm tokenAlg) {
      if (alg != null && !alg.equals(tokenAlg.name())) {
        return false;
      }
      return switch (tokenAlg.family) {
        case RSA -> curve == null;
        case EC -> tokenAlg.curve().equals(curve);
        case HMAC -> false; // never: a JWKS supplies public keys only
      };
    }
  }

  /** Keys for a token: those with its {@code kid} (or every key when it has none) and its alg. */
  List<Jwk> matching(String kid, JwsAlgorithm alg) {
    return keys.stream()
        .filter(k -> kid == null || kid.equals(k.kid()))
        .filter(k -> k.accepts(alg))
        .toList();
  }

  boolean hasKid(String kid) {
    return kid == null ? !keys.isEmpty() : keys.stream().anyMatch(k -> kid.equals(k.kid()));
  }

  /** Parses a JWKS document; throws {@link IllegalArgumentException} if it is not one at all. */
  static JwkSet parse(byte[] json) {
    JsonNode root;
    try {
      root = CompactJws.JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("JWKS is not valid JSON", e);
    }
    JsonNode keys = root == null ? null : root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new IllegalArgumentException("JWKS has no \"keys\" array");
    }
    List<Jwk> usable = new ArrayList<>();
    for (JsonNode node : keys) {
      String kid = text(node, "kid");
      try {
        Jwk jwk = key(node, kid);
        if (jwk != null) {
          usable.add(jwk);
        }
      } catch (IllegalArgumentException | GeneralSecurityException e) {
        log.warn("Skipping JWKS key kid={}: {}", kid, e.getMessage());
      }
    }
    return new JwkSet(List.copyOf(usable));
  }

  private static Jwk key(JsonNode node, String kid) throws GeneralSecurityException {
    String use = text(node, "use");
    if (use != null && !use.equals("sig")) {
      return null; // an encryption key: not for verifying signatures
    }
    String kty = Objects.requireNonNullElse(text(node, "kty"), "");
    String alg = text(node, "alg");
    return switch (kty) {
      case "RSA" -> {
        BigInteger n = unsigned(node, "n");
        BigInteger e = unsigned(node, "e");
        if (n.bitLength() < MIN_RSA_BITS) {
          throw new IllegalArgumentException("RSA modulus has " + n.bitLength()
              + " bits, fewer than " + MIN_RSA_BITS);
        }
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        yield new Jwk(kid, alg, null, key);
      }
      case "EC" -> {
        String crv = Objects.requireNonNullElse(text(node, "crv"), "");
        ECParameterSpec params = curve(crv);
        int fieldBytes = (params.getCurve().getField().getFieldSize() + 7) / 8;
        byte[] x = bytes(node, "x");
        byte[] y = bytes(node, "y");
        // RFC 7518 6.2.1.2: coordinates are the full field size, leading zeros included.
        if (x.length != fieldBytes || y.length != fieldBytes) {
          throw new IllegalArgumentException("EC coordinates are not " + fieldBytes + " bytes");
        }
        ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        requireOnCurve(point, params);
        PublicKey key = KeyFactory.getInstance("EC").generatePublic(
            new ECPublicKeySpec(point, params));
        yield new Jwk(kid, alg, crv, key);
      }
      default -> {
        // "oct" keys included: a symmetric key published in a JWKS would be no secret at all.
        log.debug("Ignoring JWKS key kid={} of type {}", kid, kty);
        yield null;
      }
    };
  }

  static ECParameterSpec curve(String crv) throws GeneralSecurityException {
    String stdName = switch (crv) {
      case "P-256" -> "secp256r1";
      case "P-384" -> "secp384r1";
      case "P-521" -> "secp521r1";
      default -> throw new IllegalArgumentException("unsupported curve \"" + crv + "\"");
    };
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec(stdName));
    return params.getParameterSpec(ECParameterSpec.class);
  }

  /** y^2 = x^3 + ax + b (mod p): refuses points that are not on the named curve. */
  private static void requireOnCurve(ECPoint point, ECParameterSpec params) {
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    BigInteger x = point.getAffineX();
    BigInteger y = point.getAffineY();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      throw new IllegalArgumentException("EC point is outside the field");
    }
    BigInteger left = y.modPow(BigInteger.TWO, p);
    BigInteger right = x.pow(3).add(params.getCurve().getA().multiply(x))
        .add(params.getCurve().getB()).mod(p);
    if (!left.equals(right)) {
      throw new IllegalArgumentException("EC point is not on curve");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  private static byte[] bytes(JsonNode node, String field) {
    String value = text(node, field);
    if (value == null) {
      throw new IllegalArgumentException("missing \"" + field + "\"");
    }
    try {
      return CompactJws.decode(value, "JWK " + field);
    } catch (AuthException e) {
      throw new IllegalArgumentException("\"" + field + "\" is not base64url");
    }
  }

  private static BigInteger unsigned(JsonNode node, String field) {
    return new BigInteger(1, bytes(node, field));
  }
}
