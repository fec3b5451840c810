package dev.kiln.scheduler;

import dev.kiln.Kiln;
import dev.kiln.api.CatchUp;
import dev.kiln.api.CronOptions;
import java.time.ZoneOffset;

/**
 * A cron every second that logs each tick it runs; the main of the child JVMs in the failover and
 * exactly-once tests (started with {@code --roles scheduler}; the test JVM runs the worker).
 */
public final class TickerApp {

  private TickerApp() {}

  public static Kiln app() {
    return Kiln.app("ticker")
        .cron("tick", "* * * * * *", CronOptions.defaults()
                .overlap(CronOptions.Overlap.ALLOW).catchUp(CatchUp.all(100)),
            ctx -> ctx.db().execute("INSERT INTO tick_log (scheduled_at, job_id) VALUES ($1, $2)",
                ctx.scheduledAt().atOffset(ZoneOffset.UTC), ctx.jobId()));
  }

  public static void main(String[] args) {
    app().run(args);
  }
}
