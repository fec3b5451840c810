package dev.kiln.bench;

import java.util.List;

/** The request and response shapes both benchmark servers speak, so they do the same work. */
final class BenchPayloads {

  private BenchPayloads() {}

  /** (a) echoed as is: parsed into this record and written back. */
  record Echo(String text, int number, boolean flag, List<String> tags) {}

  /** (b) the primary key to look up. */
  record RowId(int id) {}

  /** (b) one row of {@code bench_rows}. */
  record BenchRow(int id, String name, int qty, String note) {}

  static final String SELECT_ROW = "SELECT id, name, qty, note FROM bench_rows WHERE id = $1";
}
