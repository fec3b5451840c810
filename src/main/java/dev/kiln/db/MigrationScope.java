package dev.kiln.db;

/** Whose schema a migration belongs to. Kiln's own always run before the app's. */
public enum MigrationScope {
  KILN("kiln"),
  APP("app");

  private final String key;

  MigrationScope(String key) {
    this.key = key;
  }

  /** The value stored in {@code kiln_migrations.scope}. */
  public String key() {
    return key;
  }

  static MigrationScope fromKey(String key) {
    for (MigrationScope scope : values()) {
      if (scope.key.equals(key)) {
        return scope;
      }
    }
    throw new IllegalArgumentException("unknown migration scope: " + key);
  }
}
