package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.api.AppError;
import dev.kiln.bench.BenchPayloads.BenchRow;
import dev.kiln.bench.BenchPayloads.Echo;
import dev.kiln.bench.BenchPayloads.RowId;
import java.util.List;

/**
 * The Kiln side of {@code bench/gateway}: (a) {@code echo} returns its args record, (b)
 * {@code row.get} selects one row by primary key. Both public, called at
 * {@code POST /_api/rpc/{name}}. Run with {@code --config bench/gateway/kiln-bench.toml}.
 */
public final class BenchApp {

  private BenchApp() {}

  static Kiln app() {
    return Kiln.app("bench")
        .query("echo", Echo.class, Echo.class, (ctx, a) -> a).publicAccess()
        .query("row.get", RowId.class, BenchRow.class, (ctx, a) -> {
          List<BenchRow> rows = ctx.db().query(BenchPayloads.SELECT_ROW, a.id()).mapTo(BenchRow.class);
          if (rows.isEmpty()) {
            throw AppError.notFound("No row with id " + a.id() + ".");
          }
          return rows.getFirst();
        }).publicAccess();
  }

  public static void main(String[] args) {
    app().run(args);
  }
}
