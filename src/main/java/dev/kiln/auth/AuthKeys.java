package dev.kiln.auth;

import dev.kiln.config.KilnConfig;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, once at start-up, which JWT keys a node uses: the configured ones, else a
 * development-only secret, else (in production) nothing, and only if nothing needs it.
 */
public final class AuthKeys {

  private static final Logger log = LoggerFactory.getLogger(AuthKeys.class);

  private AuthKeys() {}

  /**
   * The {@code [auth]} section to start with.
   *
   * <ul>
   *   <li>{@code auth.jwt_secret} or {@code auth.jwks_url} set: {@code config.auth()}, validated.
   *   <li>Neither, in development: the same section with a generated secret, kept in
   *       {@code stateDir/dev-jwt-secret} (mode 0600) and reused on later starts; logs a WARN.
   *   <li>Neither, in production: {@code config.auth()} unchanged when every function is public;
   *       an {@link AuthConfigException} saying what to set when {@code anyNonPublicFunction}.
   * </ul>
   *
   * @throws AuthConfigException when the configured keys are unusable, or production needs keys
   */
  public static KilnConfig.Auth resolveForStartup(KilnConfig config, boolean anyNonPublicFunction,
      Path stateDir) {
    KilnConfig.Auth auth = config.auth();
    KeyMaterial keys = KeyMaterial.from(auth);
    if (keys.any()) {
      return auth;
    }
    if (!config.production()) {
      String secret = DevSecret.loadOrCreate(stateDir);
      log.warn("No auth.jwt_secret or auth.jwks_url configured: using a DEVELOPMENT-ONLY JWT "
          + "secret from {}. Tokens signed with it are not for production; set auth.jwt_secret "
          + "(e.g. jwt_secret = \"${KILN_JWT_SECRET}\", 32+ bytes) or auth.jwks_url.",
          stateDir.resolve(DevSecret.FILE_NAME));
      // jwt_algorithm is kept if it names an HMAC algorithm, else HS256 (what the secret can do).
      String alg = JwsAlgorithm.named(blankToDefault(auth.jwtAlgorithm()))
          .filter(a -> a.family == JwsAlgorithm.Family.HMAC)
          .map(Enum::name)
          .orElse("HS256");
      return new KilnConfig.Auth(secret, alg, "", auth.issuer(), auth.audience(),
          auth.leewaySecs());
    }
    if (anyNonPublicFunction) {
      throw new AuthConfigException("Production needs a JWT key because some functions are not "
          + "public: set auth.jwt_secret (e.g. jwt_secret = \"${KILN_JWT_SECRET}\", at least 32 "
          + "bytes) or auth.jwks_url (your identity provider's JWKS) in the [auth] section.");
    }
    return auth;
  }

  private static String blankToDefault(String alg) {
    return KeyMaterial.blank(alg) ? "HS256" : alg.trim();
  }
}
