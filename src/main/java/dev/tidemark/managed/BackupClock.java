package dev.tidemark.managed;

import java.util.function.LongSupplier;

/**
 * The AWS Backup core's clock: the wall clock, shifted by the system property {@value #OFFSET}
 * (milliseconds, default 0). The shift exists for tests that run a server process and need a plan's
 * next scheduled run (at least an hour apart on AWS) to come due within seconds; it moves only the
 * scheduler, jobs and lifecycles, never the data path, signatures or replication.
 */
public final class BackupClock {
  public static final String OFFSET = "tidemark.awsBackup.clockOffsetMillis";

  private BackupClock() {}

  public static LongSupplier system() {
    long offset = Long.getLong(OFFSET, 0L);
    return offset == 0 ? System::currentTimeMillis : () -> System.currentTimeMillis() + offset;
  }
}
