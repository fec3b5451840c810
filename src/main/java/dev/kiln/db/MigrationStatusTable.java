package dev.kiln.db;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Renders {@link MigrationRunner#status()} as the aligned text table {@code kiln migrate status} prints. */
public final class MigrationStatusTable {

  private static final String[] HEADER = {"SCOPE", "VERSION", "NAME", "STATE", "APPLIED AT", "DURATION"};
  private static final DateTimeFormatter APPLIED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'");

  private MigrationStatusTable() {}

  /**
   * One row per migration, columns padded to line up, then a summary line and, when the database
   * and the files disagree, what to do about it. Ends with a newline.
   */
  public static String render(List<MigrationStatus> statuses) {
    if (statuses.isEmpty()) {
      return "No migrations: neither Kiln nor the app has any, and the database has applied none.\n";
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    Map<MigrationStatus.State, Integer> counts = new EnumMap<>(MigrationStatus.State.class);
    for (MigrationStatus s : statuses) {
      counts.merge(s.state(), 1, Integer::sum);
      rows.add(new String[] {
          s.scope().key(),
          MigrationFile.formatVersion(s.version()),
          s.name(),
          s.state().key(),
          s.appliedAt() == null ? "" : APPLIED_AT.format(s.appliedAt().withOffsetSameInstant(ZoneOffset.UTC)),
          s.durationMs() == null ? "" : s.durationMs() + " ms"});
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == 0 ? "" : "  ").append(pad(row[i], widths[i]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    out.append('\n').append(summary(counts));
    if (counts.containsKey(MigrationStatus.State.CHANGED)) {
      out.append("Changed files were edited after they were applied: restore them, or put the change "
          + "in a new migration.\n");
    }
    if (counts.containsKey(MigrationStatus.State.UNKNOWN)) {
      out.append("Unknown migrations were applied by a newer build: deploy it, or run "
          + "`kiln migrate down` from it.\n");
    }
    return out.toString();
  }

  private static String summary(Map<MigrationStatus.State, Integer> counts) {
    List<String> parts = new ArrayList<>();
    for (MigrationStatus.State state : MigrationStatus.State.values()) {
      Integer n = counts.get(state);
      if (n != null) {
        parts.add(n + " " + state.key());
      }
    }
    return String.join(", ", parts) + "\n";
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }
}
