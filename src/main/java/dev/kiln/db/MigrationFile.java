package dev.kiln.db;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the migration file format, shared by Kiln's own migrations and the app's. */
final class MigrationFile {

  /** {@code 0002_add_projects.sql}: at least four digits, so files sort the way they apply. */
  static final Pattern FILE_NAME = Pattern.compile("(\\d{4,})_([A-Za-z0-9][A-Za-z0-9_]*)\\.sql");

  private static final String UP_MARKER = "-- @up";
  private static final String DOWN_MARKER = "-- @down";

  private MigrationFile() {}

  /** True for names that claim to be migrations; other files (a README) are not ours to judge. */
  static boolean isCandidate(String fileName) {
    return fileName.endsWith(".sql") && !fileName.startsWith(".");
  }

  static String formatVersion(int version) {
    return String.format("%04d", version);
  }

  /**
   * @param source the file as named in messages
   * @param fileName the bare file name, {@code NNNN_name.sql}
   * @throws MigrationException when the name or the sections are malformed
   */
  static Migration parse(MigrationScope scope, String source, String fileName, byte[] content) {
    Matcher m = FILE_NAME.matcher(fileName);
    if (!m.matches()) {
      throw new MigrationException(source + " is not named like a migration. Rename it to "
          + "NNNN_name.sql (e.g. 0002_add_projects.sql), or move it out of the migrations directory.");
    }
    int version;
    try {
      version = Integer.parseInt(m.group(1));
    } catch (NumberFormatException e) {
      throw new MigrationException(source + " has a version number too large for a migration.");
    }
    String text = new String(content, StandardCharsets.UTF_8);
    StringBuilder up = null;
    StringBuilder down = null;
    StringBuilder current = null;
    int lineNo = 0;
    for (String line : text.split("\r?\n", -1)) {
      lineNo++;
      String marker = line.strip();
      if (marker.equals(UP_MARKER)) {
        if (up != null || down != null) {
          throw new MigrationException(source + " line " + lineNo + ": unexpected '" + UP_MARKER
              + "'. A migration has one '-- @up' section, followed by at most one '-- @down'.");
        }
        current = up = new StringBuilder();
      } else if (marker.equals(DOWN_MARKER)) {
        if (up == null || down != null) {
          throw new MigrationException(source + " line " + lineNo + ": unexpected '" + DOWN_MARKER
              + "'. The '-- @down' section comes once, after the '-- @up' section.");
        }
        current = down = new StringBuilder();
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    if (up == null) {
      throw new MigrationException(source + " has no '-- @up' section. Put a line '-- @up' before "
          + "the SQL that applies the migration (and optionally '-- @down' before the SQL that undoes it).");
    }
    return new Migration(scope, version, m.group(2), source, sha256(content),
        up.toString(), down == null ? null : down.toString());
  }

  /**
   * False when {@code sql} is only whitespace, semicolons and comments, which PostgreSQL answers
   * with EmptyQueryResponse; the Vert.x 5.0.8 simple-query codec does not handle that message and
   * its future never completes, so such a section must not be sent at all. Scanning stops at the
   * first real token, so string literals never need to be understood.
   */
  static boolean hasStatements(String sql) {
    int depth = 0;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      char next = i + 1 < sql.length() ? sql.charAt(i + 1) : '\0';
      if (depth > 0) {
        // Block comments nest in PostgreSQL, unlike in the SQL standard's C-like reading.
        if (c == '/' && next == '*') {
          depth++;
          i++;
        } else if (c == '*' && next == '/') {
          depth--;
          i++;
        }
      } else if (c == '-' && next == '-') {
        int eol = sql.indexOf('\n', i);
        if (eol < 0) {
          return false;
        }
        i = eol;
      } else if (c == '/' && next == '*') {
        depth = 1;
        i++;
      } else if (!Character.isWhitespace(c) && c != ';') {
        return true;
      }
    }
    return false;
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM ships SHA-256", e);
    }
  }
}
