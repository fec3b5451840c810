package dev.kiln.bench;

import dev.kiln.Kiln;

/**
 * The Kiln side of {@code bench/realtime}: {@code counter.get} reads row 1 of {@code bench_rows}
 * as a live query; {@code counter.set} writes it. Run with {@code --config
 * bench/realtime/kiln-bench.toml}.
 */
public final class RealtimeBenchApp {

  private RealtimeBenchApp() {}

  public record Empty() {}

  public record Value(long value) {}

  static Kiln app() {
    return Kiln.app("bench-realtime")
        .query("counter.get", Empty.class, Long.class, (ctx, a) ->
            ctx.db().queryOne("SELECT qty FROM bench_rows WHERE id = 1").getLong("qty"))
            .publicAccess().tables("bench_rows")
        .mutation("counter.set", Value.class, Long.class, (ctx, a) -> {
          ctx.db().execute("UPDATE bench_rows SET qty = $1 WHERE id = 1", a.value());
          return a.value();
        }).publicAccess();
  }

  public static void main(String[] args) {
    app().run(args);
  }
}
