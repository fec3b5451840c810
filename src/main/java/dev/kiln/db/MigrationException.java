package dev.kiln.db;

/**
 * A migration problem a person has to fix: a malformed or edited file, a database ahead of this
 * build, or SQL that PostgreSQL rejected. The message names the file and says what to do next.
 */
public final class MigrationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public MigrationException(String message) {
    super(message);
  }

  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
