package dev.kiln.scheduler;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.field.expression.Every;
import com.cronutils.model.field.expression.FieldExpression;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a cron's ticks fall: a pure function from "after this instant" to "the next tick", the same
 * on every node, so any leader computes the same instants.
 *
 * <p>Accepted: 5-field (minute hour day month weekday) and 6-field (second first) cron expressions,
 * parsed by cron-utils; the macros {@code @hourly @daily @midnight @weekly @monthly @yearly
 * @annually}; and {@code @every 5m} style intervals ({@code ms s m h d}, combinable as
 * {@code 1h30m}), which tick at multiples of the interval since the Unix epoch, whatever the zone.
 *
 * <p>Daylight saving, for expressions read in a zone with transitions. cron-utils only answers
 * "which wall-clock times match" (it is asked in UTC, where no time is skipped or repeated); this
 * class maps those wall-clock times to instants:
 * <ul>
 *   <li>a cron whose hour field is {@code *} or {@code *}{@code /n} follows real time: a skipped
 *       wall-clock time does not run, a repeated one runs at both instants (an every-5-minutes
 *       cron keeps its rhythm through both changes);</li>
 *   <li>any other cron (a fixed hour, e.g. daily at 02:30) runs once per wall-clock time: a
 *       skipped time runs at the same offset after the jump (02:30 on a spring-forward day where
 *       02:00 becomes 03:00 runs at 03:30), a repeated time runs at its first occurrence only.</li>
 * </ul>
 */
public sealed interface CronSchedule {

  /** The next tick strictly after {@code after}, or empty when there is none (a past year). */
  Optional<Instant> next(Instant after);

  /** The text it was parsed from. */
  String text();

  ZoneId zone();

  Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
      "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");

  /** Parses a schedule; the message of a bad one says what is accepted. */
  static CronSchedule parse(String text, ZoneId zone) {
    String t = text == null ? "" : text.trim();
    if (t.toLowerCase(Locale.ROOT).startsWith("@every")) {
      return new Interval(t, zone, parseInterval(t.substring("@every".length()).trim(), t));
    }
    String expression = MACROS.getOrDefault(t.toLowerCase(Locale.ROOT), t);
    int fields = expression.isEmpty() ? 0 : expression.split("\\s+").length;
    CronType type = switch (fields) {
      case 5 -> CronType.UNIX;
      case 6 -> CronType.SPRING;
      default -> throw new IllegalArgumentException("cron schedule '" + text + "' has " + fields
          + " fields; use 5 (minute hour day month weekday), 6 (second first), a macro such as "
          + "@daily, or an interval such as '@every 5m'");
    };
    Cron cron;
    try {
      cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(expression);
      cron.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cron schedule '" + text + "' is not valid: "
          + e.getMessage(), e);
    }
    return new Expression(t, zone, ExecutionTime.forCron(cron),
        followsRealTime(cron.retrieve(CronFieldName.HOUR).getExpression()));
  }

  private static boolean followsRealTime(FieldExpression hour) {
    return hour instanceof Always
        || hour instanceof Every every && every.getExpression() instanceof Always;
  }

  private static Duration parseInterval(String spec, String text) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(spec);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
      end = m.end();
    }
    if (spec.isEmpty() || end != spec.length() || total.toMillis() < 1) {
      throw new IllegalArgumentException("cron schedule '" + text + "': write an interval as "
          + "'@every 30s', '@every 5m', '@every 1h30m' (units ms, s, m, h, d)");
    }
    return total;
  }

  /** {@code @every} ticks: multiples of the interval since the epoch. */
  record Interval(String text, ZoneId zone, Duration every) implements CronSchedule {
    @Override
    public Optional<Instant> next(Instant after) {
      long step = every.toMillis();
      long n = Math.floorDiv(after.toEpochMilli(), step) + 1;
      return Optional.of(Instant.ofEpochMilli(n * step));
    }
  }

  /** A cron expression read in a zone; see the class comment for daylight saving. */
  record Expression(String text, ZoneId zone, ExecutionTime wallClock, boolean realTime)
      implements CronSchedule {

    private static final int MAX_STEPS = 100_000;

    @Override
    public Optional<Instant> next(Instant after) {
      ZoneRules rules = zone.getRules();
      // Near a repeated hour, the next tick may be at a wall-clock time at or before after's own
      // reading (its second occurrence), so the scan starts that much earlier and ends that much
      // later than after's reading would suggest.
      Duration margin = overlapNear(rules, after);
      LocalDateTime w = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS)
          .minus(margin);
      Instant best = null;
      for (int i = 0; i < MAX_STEPS; i++) {
        Optional<ZonedDateTime> n = wallClock.nextExecution(w.atZone(ZoneOffset.UTC));
        if (n.isEmpty()) {
          break;
        }
        w = n.get().toLocalDateTime();
        if (best != null && w.isAfter(LocalDateTime.ofInstant(best, zone).plus(margin))) {
          break;
        }
        for (Instant candidate : instants(rules, w)) {
          if (candidate.isAfter(after) && (best == null || candidate.isBefore(best))) {
            best = candidate;
          }
        }
      }
      return Optional.ofNullable(best);
    }

    private List<Instant> instants(ZoneRules rules, LocalDateTime w) {
      List<ZoneOffset> offsets = rules.getValidOffsets(w);
      if (offsets.size() == 1) {
        return List.of(w.toInstant(offsets.get(0)));
      }
      if (offsets.isEmpty()) { // skipped by a spring-forward
        return realTime ? List.of() : List.of(ZonedDateTime.ofLocal(w, zone, null).toInstant());
      }
      // repeated by a fall-back: offsets are [before, after] the transition
      Instant first = w.toInstant(offsets.get(0));
      return realTime ? List.of(first, w.toInstant(offsets.get(1))) : List.of(first);
    }

    private static Duration overlapNear(ZoneRules rules, Instant after) {
      Duration margin = Duration.ZERO;
      Instant end = after.plus(Duration.ofDays(2));
      ZoneOffsetTransition t = rules.nextTransition(after.minus(Duration.ofDays(1)));
      while (t != null && t.getInstant().isBefore(end)) {
        if (t.isOverlap() && t.getDuration().negated().compareTo(margin) > 0) {
          margin = t.getDuration().negated();
        }
        t = rules.nextTransition(t.getInstant());
      }
      return margin;
    }
  }
}
