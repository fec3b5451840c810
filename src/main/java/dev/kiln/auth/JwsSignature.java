package dev.kiln.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computing and checking JWS signatures with the JDK's own providers. All of these are fast enough
 * (tens of microseconds) to run on an event loop.
 */
final class JwsSignature {

  private JwsSignature() {}

  static byte[] hmac(JwsAlgorithm alg, byte[] secret, byte[] signingInput) {
    requireFamily(alg, JwsAlgorithm.Family.HMAC);
    try {
      Mac mac = Mac.getInstance(alg.jcaName);
      mac.init(new SecretKeySpec(secret, alg.jcaName));
      return mac.doFinal(signingInput);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + alg.jcaName, e);
    }
  }

  static boolean verifyHmac(JwsAlgorithm alg, byte[] secret, byte[] signingInput, byte[] sig) {
    // Constant-time comparison, so response timing does not reveal how many bytes matched.
    return MessageDigest.isEqual(hmac(alg, secret, signingInput), sig);
  }

  /** Checks an RSA or ECDSA signature; the caller has already matched the key to {@code alg}. */
  static boolean verify(JwsAlgorithm alg, PublicKey key, byte[] signingInput, byte[] sig) {
    if (alg.family == JwsAlgorithm.Family.HMAC) {
      throw new IllegalArgumentException(alg + " is not a public-key algorithm");
    }
    // A JWS ECDSA signature is exactly R||S, each the curve's field size (RFC 7518 3.4). A DER
    // signature, the JDK's default shape and a common signer bug, is refused here by its length.
    if (alg.family == JwsAlgorithm.Family.EC && sig.length != 2 * alg.ecFieldBytes) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(alg.jcaName);
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(sig);
    } catch (java.security.SignatureException | java.security.InvalidKeyException e) {
      return false; // malformed signature bytes or a key of the wrong shape: not a valid signature
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + alg.jcaName, e);
    }
  }

  private static void requireFamily(JwsAlgorithm alg, JwsAlgorithm.Family family) {
    if (alg.family != family) {
      throw new IllegalArgumentException(alg + " is not " + family);
    }
  }
}
