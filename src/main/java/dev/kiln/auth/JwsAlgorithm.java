package dev.kiln.auth;

import java.util.Optional;

/**
 * The JWS algorithms Kiln accepts (RFC 7518 section 3). {@code none} is deliberately absent: a
 * token that names it is not a token we can parse, let alone trust.
 */
enum JwsAlgorithm {
  HS256(Family.HMAC, "HmacSHA256", 0),
  HS384(Family.HMAC, "HmacSHA384", 0),
  HS512(Family.HMAC, "HmacSHA512", 0),
  RS256(Family.RSA, "SHA256withRSA", 0),
  RS384(Family.RSA, "SHA384withRSA", 0),
  RS512(Family.RSA, "SHA512withRSA", 0),
  // JWS carries ECDSA signatures as raw R||S (RFC 7518 section 3.4); the JDK's "inP1363Format"
  // variants take exactly that, where the plain ones want ASN.1 DER.
  ES256(Family.EC, "SHA256withECDSAinP1363Format", 32),
  ES384(Family.EC, "SHA384withECDSAinP1363Format", 48),
  ES512(Family.EC, "SHA512withECDSAinP1363Format", 66);

  enum Family { HMAC, RSA, EC }

  final Family family;
  final String jcaName;
  /** Byte length of one of R and S for ECDSA (the curve's field size), 0 otherwise. */
  final int ecFieldBytes;

  JwsAlgorithm(Family family, String jcaName, int ecFieldBytes) {
    this.family = family;
    this.jcaName = jcaName;
    this.ecFieldBytes = ecFieldBytes;
  }

  /** The JWK {@code crv} this algorithm is defined for (RFC 7518 section 3.4), EC only. */
  String curve() {
    return switch (this) {
      case ES256 -> "P-256";
      case ES384 -> "P-384";
      case ES512 -> "P-521";
      default -> throw new IllegalStateException(this + " has no curve");
    };
  }

  /** Exact, case-sensitive lookup: JWS algorithm names are case-sensitive (RFC 7515 4.1.1). */
  static Optional<JwsAlgorithm> named(String name) {
    for (JwsAlgorithm alg : values()) {
      if (alg.name().equals(name)) {
        return Optional.of(alg);
      }
    }
    return Optional.empty();
  }
}
