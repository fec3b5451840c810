package dev.kiln.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds tokens and JWKs for tests, independently of the production code: its own base64url, its
 * own JSON, and ECDSA signed the JDK's default (DER) way and converted to JWS R||S here.
 */
final class TestTokens {

  static final ObjectMapper JSON = new ObjectMapper();

  private TestTokens() {}

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String b64Json(Object value) {
    try {
      return b64(JSON.writeValueAsBytes(value));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> header(String alg, String kid) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", alg);
    header.put("typ", "JWT");
    if (kid != null) {
      header.put("kid", kid);
    }
    return header;
  }

  static String hmac(String alg, byte[] secret, Map<String, Object> header,
      Map<String, Object> claims) {
    return hmacRaw(alg, secret, b64Json(header) + "." + b64Json(claims));
  }

  /** Signs an already encoded {@code header.payload}, for payloads no JSON library would write. */
  static String hmacRaw(String alg, byte[] secret, String input) {
    String jca = "Hmac" + "SHA" + alg.substring(2);
    try {
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(secret, jca));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hmac(String alg, String secret, Map<String, Object> claims) {
    return hmac(alg, secret.getBytes(StandardCharsets.UTF_8), header(alg, null), claims);
  }

  static String rsa(String alg, PrivateKey key, String kid, Map<String, Object> claims) {
    String input = b64Json(header(alg, kid)) + "." + b64Json(claims);
    byte[] sig = sign("SHA" + alg.substring(2) + "withRSA", key, input);
    return input + "." + b64(sig);
  }

  /** ES256/384: signs DER with the JDK and converts to raw R||S, as RFC 7518 3.4 wants. */
  static String ec(String alg, PrivateKey key, String kid, Map<String, Object> claims) {
    String input = b64Json(header(alg, kid)) + "." + b64Json(claims);
    byte[] der = sign("SHA" + alg.substring(2) + "withECDSA", key, input);
    int size = switch (alg) {
      case "ES256" -> 32;
      case "ES384" -> 48;
      default -> 66;
    };
    return input + "." + b64(derToRaw(der, size));
  }

  /** As {@link #ec}, but leaves the signature in DER: the classic signer bug. */
  static String ecDer(String alg, PrivateKey key, String kid, Map<String, Object> claims) {
    String input = b64Json(header(alg, kid)) + "." + b64Json(claims);
    return input + "." + b64(sign("SHA" + alg.substring(2) + "withECDSA", key, input));
  }

  private static byte[] sign(String jca, PrivateKey key, String input) {
    try {
      Signature signature = Signature.getInstance(jca);
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SEQUENCE { INTEGER r, INTEGER s } to fixed-width r||s. */
  static byte[] derToRaw(byte[] der, int size) {
    int offset = 2;
    if ((der[1] & 0xff) == 0x81) {
      offset = 3; // long-form length (P-521)
    }
    byte[] out = new byte[2 * size];
    for (int i = 0; i < 2; i++) {
      int len = der[offset + 1] & 0xff;
      byte[] integer = Arrays.copyOfRange(der, offset + 2, offset + 2 + len);
      byte[] unsigned = new BigInteger(1, integer).toByteArray();
      int start = unsigned.length > size ? unsigned.length - size : 0;
      int n = unsigned.length - start;
      System.arraycopy(unsigned, start, out, i * size + size - n, n);
      offset += 2 + len;
    }
    return out;
  }

  static KeyPair rsaKeys(int bits) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(bits);
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ecKeys(String stdName) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec(stdName));
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> rsaJwk(String kid, KeyPair keys) {
    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "RSA");
    jwk.put("kid", kid);
    jwk.put("use", "sig");
    jwk.put("n", b64(unsigned(pub.getModulus())));
    jwk.put("e", b64(unsigned(pub.getPublicExponent())));
    return jwk;
  }

  static Map<String, Object> ecJwk(String kid, String crv, KeyPair keys) {
    ECPublicKey pub = (ECPublicKey) keys.getPublic();
    int size = (pub.getParams().getCurve().getField().getFieldSize() + 7) / 8;
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "EC");
    jwk.put("kid", kid);
    jwk.put("crv", crv);
    jwk.put("x", b64(fixed(pub.getW().getAffineX(), size)));
    jwk.put("y", b64(fixed(pub.getW().getAffineY(), size)));
    return jwk;
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static byte[] fixed(BigInteger value, int size) {
    byte[] bytes = unsigned(value);
    byte[] out = new byte[size];
    System.arraycopy(bytes, 0, out, size - bytes.length, bytes.length);
    return out;
  }
}
