package dev.tidemark.testkit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Moving a server's AWS Backup clock to a scheduled run: the tests' plans run at {@code cron(0 3 ?
 * * * *)}, so one minute past the next 03:00 UTC is inside every such run's start window.
 */
public final class ScheduledRun {
  private ScheduledRun() {}

  /** Milliseconds from {@code nowMillis} to one minute past the next 03:00 UTC. */
  public static long untilNext0301(long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis);
    ZonedDateTime next = now.atZone(ZoneOffset.UTC).withHour(3).withMinute(1).withSecond(0);
    if (!next.toInstant().isAfter(now)) {
      next = next.plusDays(1);
    }
    return next.toInstant().toEpochMilli() - nowMillis;
  }
}
