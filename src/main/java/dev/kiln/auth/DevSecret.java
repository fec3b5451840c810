package dev.kiln.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The development JWT secret: 32 random bytes, generated on first start and kept in a file only
 * its owner can read, so tokens minted with {@code kiln token} keep working across restarts.
 */
final class DevSecret {

  private static final Logger log = LoggerFactory.getLogger(DevSecret.class);

  static final String FILE_NAME = "dev-jwt-secret";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private DevSecret() {}

  /** Reads the secret in {@code stateDir}, creating it (mode 0600) if it is not there yet. */
  static String loadOrCreate(Path stateDir) {
    Path file = stateDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        return read(file);
      }
      Files.createDirectories(stateDir);
      Path temp = posix()
          ? Files.createTempFile(stateDir, FILE_NAME, ".tmp",
              PosixFilePermissions.asFileAttribute(OWNER_ONLY))
          : Files.createTempFile(stateDir, FILE_NAME, ".tmp");
      try {
        Files.writeString(temp, generate() + "\n", StandardCharsets.US_ASCII);
        // A hard link publishes the complete file atomically and fails if it already exists, so
        // two nodes starting together in one directory end up sharing one secret.
        Files.createLink(file, temp);
        log.info("Generated a development JWT secret in {}", file);
      } catch (FileAlreadyExistsException raced) {
        // another process won; use its secret
      } catch (UnsupportedOperationException | IOException noLinks) {
        if (!Files.exists(file)) {
          Files.move(temp, file); // file systems without hard links: not atomic, but fine for dev
        }
      } finally {
        Files.deleteIfExists(temp);
      }
      return read(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the development JWT secret in " + file, e);
    }
  }

  private static String read(Path file) throws IOException {
    if (posix()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (!OWNER_ONLY.containsAll(perms)) {
        log.warn("{} was readable by others; restricting it to its owner (0600)", file);
        Files.setPosixFilePermissions(file, OWNER_ONLY);
      }
    }
    String secret = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (secret.length() < KeyMaterial.MIN_SECRET_BYTES) {
      throw new AuthConfigException(file + " holds a secret shorter than "
          + KeyMaterial.MIN_SECRET_BYTES + " bytes; delete the file and Kiln makes a new one");
    }
    return secret;
  }

  private static String generate() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return CompactJws.encode(bytes); // 43 printable characters, 256 bits of entropy
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
