package dev.kiln;

import dev.kiln.api.AppError;
import dev.kiln.api.FunctionOptions;
import dev.kiln.api.JobOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Functions that exercise every path of the gateway; also a main for child-JVM tests. */
public final class TestApp {

  private TestApp() {}

  public enum Color { RED, GREEN }

  public record Inner(String label, int count) {}

  public record Echo(String text, int number, Optional<String> note, UUID id, Instant at, Color color,
      List<Inner> items, Map<String, Object> extra) {}

  public record AddItem(String name, int qty, boolean fail) {}

  public record Sleep(int millis) {}

  public record Empty() {}

  public record Note(String text) {}

  public record Named(String name) {}

  public record Blob(String name, int size) {}

  public record Steps(int count, int pauseMillis) {}

  public record AddWithJob(String name, boolean fail) {}

  public static Kiln app() {
    return Kiln.app("testapp")
        .query("echo", Echo.class, Echo.class, (ctx, a) -> a).publicAccess()
        .query("whoami", Empty.class, (ctx, a) -> Map.of("user", ctx.auth().userId(),
            "roles", ctx.auth().roles()))
        .query("admin.only", Empty.class, (ctx, a) -> "ok").requireRole("admin")
        .mutation("items.add", AddItem.class, Long.class, (ctx, a) -> {
          ctx.db().execute("INSERT INTO items (name, qty) VALUES ($1, $2)", a.name(), a.qty());
          if (a.fail()) {
            throw new IllegalStateException("secret internal detail: disk on fire");
          }
          return ctx.db().queryOne("SELECT count(*) AS n FROM items").getLong("n");
        }).publicAccess()
        .query("items.count", Empty.class, Long.class, (ctx, a) ->
            ctx.db().queryOne("SELECT count(*) AS n FROM items").getLong("n")).publicAccess()
            .tables("items")
        .query("items.named", Named.class, Long.class, (ctx, a) ->
            ctx.db().queryOne("SELECT count(*) AS n FROM items WHERE name = $1", a.name())
                .getLong("n")).publicAccess().tables("items")
        .query("items.mine", Empty.class, Long.class, (ctx, a) ->
            ctx.db().queryOne("SELECT count(*) AS n FROM items WHERE name = $1",
                ctx.auth().userId()).getLong("n")).tables("items")
        .query("items.blob", Blob.class, String.class, (ctx, a) ->
            ctx.db().queryOne("SELECT count(*) AS n FROM items WHERE name = $1", a.name())
                .getLong("n") + ":" + "x".repeat(a.size())).publicAccess().tables("items")
        .mutation("others.add", Note.class, Long.class, (ctx, a) -> {
          ctx.db().execute("INSERT INTO others (name) VALUES ($1)", a.text());
          return 1L;
        }).publicAccess()
        .job("steps", Steps.class, JobOptions.retries(0), (ctx, a) -> {
          for (int i = 1; i <= a.count(); i++) {
            ctx.log("step " + i);
            ctx.progress(i * 100 / a.count(), "step " + i + " of " + a.count());
            Thread.sleep(a.pauseMillis());
          }
        })
        .mutation("steps.start", Steps.class, java.util.UUID.class, (ctx, a) ->
            ctx.jobs().enqueue("steps", a)).publicAccess()
        .query("sleep", Sleep.class, String.class, (ctx, a) -> {
          Thread.sleep(a.millis());
          return "slept " + a.millis();
        }).publicAccess().timeout(Duration.ofSeconds(3))
        .query("boom", Empty.class, (ctx, a) -> {
          throw new IllegalStateException("secret internal detail: password=hunter2");
        }).publicAccess()
        .query("teapot", Empty.class, (ctx, a) -> {
          throw new AppError(418, "teapot", "I refuse to brew coffee.");
        }).publicAccess()
        .query("logs.hello", Note.class, String.class, (ctx, a) -> {
          org.slf4j.LoggerFactory.getLogger("testapp.logs").info("hello {}", a.text());
          return "logged";
        }).publicAccess()
        .query("limited", Empty.class, (ctx, a) -> "ok").publicAccess().rateLimit(1, 2)
        .query("replica.name", Empty.class, String.class,
            (ctx, a) -> ctx.db().queryOne("SELECT current_database() AS db").getString("db"))
            .publicAccess()
        .query("primary.name", Empty.class, String.class,
            (ctx, a) -> ctx.db().queryOne("SELECT current_database() AS db").getString("db"))
            .publicAccess().consistent()
        .query("options.default", Empty.class, String.class, FunctionOptions.publicAccess(),
            (ctx, a) -> "fine")
        .job("items.note", Note.class, JobOptions.retries(3), (ctx, a) ->
            ctx.db().execute("INSERT INTO items (name, qty) VALUES ($1, -1)", "job:" + a.text()))
        .mutation("items.addWithJob", AddWithJob.class, java.util.UUID.class, (ctx, a) -> {
          ctx.db().execute("INSERT INTO items (name, qty) VALUES ($1, 1)", a.name());
          java.util.UUID job = ctx.jobs().enqueue("items.note", new Note(a.name()));
          if (a.fail()) {
            throw new AppError(409, "refused", "changed my mind");
          }
          return job;
        }).publicAccess();
  }

  public static void main(String[] args) {
    app().run(args);
  }
}
