package dev.tidemark.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.backup.BackupService;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.replication.Replicator;
import dev.tidemark.space.DiskSpace;
import dev.tidemark.tables.Database;
import dev.tidemark.ttl.TtlSweeper;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's metrics, in one registry scraped at {@code GET /metrics}. The core keeps no meters
 * of its own: it offers cheap hooks (the write path's sync observer, the backup service's job
 * observer) and read-only summaries (PITR archive health, TTL deletions, replication status, disk
 * space), and this class turns them into meters. So the hot path pays a few nanoseconds per fsync,
 * not per write, and the core does not depend on any metrics format.
 *
 * <p>No meter is tagged with a table name, key, identity or access key: metrics are served without
 * authentication (scrapers do not sign), so they say how the server is doing, never what it holds
 * or who uses it. {@code tidemark replicas status}, {@code tidemark pitr status} and the audit
 * trail give the details, behind the gate.
 */
public final class ServerMetrics implements AutoCloseable {
  /**
   * Histogram buckets for request and fsync latency: a dozen fixed bounds from 100 µs to 10 s, so
   * that a scrape stays small (a few kilobytes per operation) and quantiles can be computed over
   * any set of servers with {@code histogram_quantile}.
   */
  static final Duration[] LATENCY_BUCKETS =
      millis(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000);

  /** Buckets for backup and restore durations: one second to six hours. */
  static final Duration[] JOB_BUCKETS =
      millis(1000, 5000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000);

  private static Duration[] millis(double... bounds) {
    Duration[] out = new Duration[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      out[i] = Duration.ofNanos(Math.round(bounds[i] * 1_000_000));
    }
    return out;
  }

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final LongSupplier clock;
  private final List<Object> held = new java.util.concurrent.CopyOnWriteArrayList<>();
  private JvmGcMetrics gc;

  public ServerMetrics(LongSupplier clock) {
    this.clock = clock;
    registry.config().commonTags("service", "tidemark");
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
  }

  MeterRegistry registry() {
    return registry;
  }

  /** The gate, measured: every operation of every API, its latency and its errors. */
  public Authenticator measure(Authenticator gate) {
    return new MeteredGate(gate, registry);
  }

  /** The text a Prometheus scraper asks for ({@code Accept} picks the exposition format). */
  public String scrape(String accept) {
    return registry.scrape(accept == null ? "text/plain" : accept);
  }

  /** The content type of {@link #scrape(String)}'s answer to that {@code Accept}. */
  public static String contentType(String accept) {
    return accept != null && accept.contains("application/openmetrics-text")
        ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
        : "text/plain; version=0.0.4; charset=utf-8";
  }

  /** The write path: tables, fsync latency and how many writes each fsync made durable. */
  public void bindDatabase(Database db) {
    Timer sync =
        Timer.builder("tidemark.wal.sync")
            .description("WAL fsyncs made for acknowledged writes (sync durability)")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    DistributionSummary group =
        DistributionSummary.builder("tidemark.wal.group.commit.size")
            .description("Change-log records made durable by one fsync (group commit)")
            .baseUnit("records")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
            .register(registry);
    db.writePath()
        .observeSyncs(
            (nanos, covered) -> {
              sync.record(nanos, TimeUnit.NANOSECONDS);
              if (covered > 0) {
                group.record(covered);
              }
            });
    Gauge.builder("tidemark.tables", db, d -> d.catalog().names().size())
        .description("Tables in the catalog")
        .register(registry);
    bindSpace(db.space());
  }

  private void bindSpace(DiskSpace space) {
    for (DiskSpace.VolumeStatus v : space.status()) {
      String label = v.label();
      Gauge.builder("tidemark.disk.free", space, s -> volume(s, label, true))
          .description("Free bytes on a watched disk (the data directory's, the backup store's)")
          .baseUnit("bytes")
          .tag("volume", label)
          .register(registry);
      Gauge.builder("tidemark.disk.refusing.writes", space, s -> volume(s, label, false))
          .description("1 while writes are refused because this disk is below --min-free-space")
          .tag("volume", label)
          .register(registry);
    }
  }

  private static double volume(DiskSpace space, String label, boolean free) {
    for (DiskSpace.VolumeStatus v : space.status()) {
      if (v.label().equals(label)) {
        return free ? v.freeBytes() : (v.full() ? 1 : 0);
      }
    }
    return Double.NaN;
  }

  /** Backups and restores: durations by kind and outcome, sizes, and how many run now. */
  public void bindBackups(BackupService backups) {
    Map<String, Timer> jobs = new ConcurrentHashMap<>();
    Map<String, DistributionSummary> sizes = new ConcurrentHashMap<>();
    backups.observeJobs(
        (kind, succeeded, nanos, bytes) -> {
          String outcome = succeeded ? "succeeded" : "failed";
          jobs.computeIfAbsent(
                  kind + '/' + outcome,
                  k ->
                      Timer.builder("tidemark.backup.jobs")
                          .description(
                              "Finished backups (by type) and restores (kind RESTORE), by outcome")
                          .tag("kind", kind)
                          .tag("outcome", outcome)
                          .serviceLevelObjectives(JOB_BUCKETS)
                          .register(registry))
              .record(nanos, TimeUnit.NANOSECONDS);
          if (succeeded) {
            sizes
                .computeIfAbsent(
                    kind,
                    k ->
                        DistributionSummary.builder("tidemark.backup.job.size")
                            .description("Table bytes held by finished backups and restores")
                            .baseUnit("bytes")
                            .tag("kind", kind)
                            .register(registry))
                .record(bytes);
          }
        });
    Gauge.builder("tidemark.backup.jobs.running", backups, BackupService::runningJobs)
        .description("Backups and restores running now")
        .register(registry);
  }

  /** The PITR archive: how far the latest restorable time trails now, and failing tables. */
  public void bindPitr(PitrService pitr) {
    TimeGauge.builder(
            "tidemark.pitr.archive.lag",
            pitr,
            TimeUnit.MILLISECONDS,
            p -> p.archiveHealth(clock.getAsLong()).maxLagMillis())
        .description(
            "The largest lag, over tables with PITR on, of the latest restorable time behind now")
        .register(registry);
    Gauge.builder("tidemark.pitr.tables", pitr, p -> p.archiveHealth(clock.getAsLong()).tables())
        .description("Tables with point-in-time recovery on")
        .register(registry);
    Gauge.builder(
            "tidemark.pitr.archive.failing.tables",
            pitr,
            p -> p.archiveHealth(clock.getAsLong()).failing())
        .description("Tables whose PITR archiving fails now (the backup store is full or down)")
        .register(registry);
  }

  /**
   * Failed requests to a backup store, by operation ({@code get}, {@code commit}, {@code list}
   * ...), each series present from the start at zero so an alert can watch its rate.
   */
  public void bindStoreErrors(dev.tidemark.backup.store.StoreErrors errors) {
    held.add(errors);
    for (String op : dev.tidemark.backup.store.StoreErrors.OPERATIONS) {
      FunctionCounter.builder("tidemark.backup.store.errors", errors, e -> e.count(op))
          .description("Backup store requests that failed, by store and operation")
          .tag("store", errors.store())
          .tag("operation", op)
          .register(registry);
    }
  }

  public void bindTtl(TtlSweeper sweeper) {
    FunctionCounter.builder("tidemark.ttl.deleted.items", sweeper, TtlSweeper::deletedTotal)
        .description("Items deleted because their TTL attribute had passed")
        .register(registry);
  }

  /**
   * Replication to this region from each peer: lag quantiles over the last records applied, applied
   * and superseded counts, and whether the peer answers. Read from the replicator's status, at most
   * once a second however many series a scrape reads.
   */
  public void bindReplication(Replicator replicator) {
    List<String> peers = replicator.peerRegions();
    if (peers.isEmpty()) {
      return;
    }
    Supplier<JsonNode> status = new Cached(replicator::status, clock, 1000);
    // Micrometer holds a gauge's or function counter's object weakly; one only the meters know
    // would be collected and read NaN from then on.
    held.add(status);
    for (String peer : peers) {
      for (String[] q : new String[][] {{"p50Millis", "0.5"}, {"p99Millis", "0.99"}}) {
        TimeGauge.builder(
                "tidemark.replication.lag",
                status,
                TimeUnit.MILLISECONDS,
                s -> lag(s.get(), peer, q[0]))
            .description("Replication lag from a region to this one over its last records")
            .tag("from", peer)
            .tag("quantile", q[1])
            .register(registry);
      }
      TimeGauge.builder(
              "tidemark.replication.lag.max",
              status,
              TimeUnit.MILLISECONDS,
              s -> lag(s.get(), peer, "maxMillis"))
          .description("The largest replication lag from a region over its last records")
          .tag("from", peer)
          .register(registry);
      FunctionCounter.builder(
              "tidemark.replication.applied", status, s -> lag(s.get(), peer, "applied"))
          .description("Replicated writes from a region applied here")
          .tag("from", peer)
          .register(registry);
      FunctionCounter.builder(
              "tidemark.replication.superseded", status, s -> lag(s.get(), peer, "superseded"))
          .description(
              "Replicated writes from a region not applied: a higher stamp was already here")
          .tag("from", peer)
          .register(registry);
      Gauge.builder("tidemark.replication.peer.reachable", status, s -> reachable(s.get(), peer))
          .description("1 while the peer region answers")
          .tag("peer", peer)
          .register(registry);
      Gauge.builder("tidemark.replication.pending", status, s -> pending(s.get(), peer))
          .description("Change-log positions a peer region is behind, for its most lagging table")
          .tag("to", peer)
          .register(registry);
    }
  }

  private static double lag(JsonNode status, String from, String field) {
    if (status == null) {
      return Double.NaN;
    }
    for (JsonNode l : status.path("lag")) {
      if (from.equals(l.path("from").asText())) {
        return l.path(field).asDouble();
      }
    }
    return 0;
  }

  private static double reachable(JsonNode status, String peer) {
    if (status == null) {
      return Double.NaN;
    }
    for (JsonNode p : status.path("peers")) {
      if (peer.equals(p.path("region").asText())) {
        return p.path("reachable").asBoolean() ? 1 : 0;
      }
    }
    return Double.NaN;
  }

  private static double pending(JsonNode status, String peer) {
    if (status == null) {
      return Double.NaN;
    }
    long most = 0;
    for (JsonNode t : status.path("tables")) {
      for (JsonNode r : t.path("replicas")) {
        if (peer.equals(r.path("region").asText())) {
          most = Math.max(most, r.path("pendingSeqs").asLong());
        }
      }
    }
    return most;
  }

  /** A supplier whose value is recomputed at most every {@code maxAgeMillis}. */
  private static final class Cached implements Supplier<JsonNode> {
    private final Supplier<? extends JsonNode> source;
    private final LongSupplier clock;
    private final long maxAgeMillis;
    private JsonNode value;
    private long at = Long.MIN_VALUE;

    Cached(Supplier<? extends JsonNode> source, LongSupplier clock, long maxAgeMillis) {
      this.source = source;
      this.clock = clock;
      this.maxAgeMillis = maxAgeMillis;
    }

    @Override
    public synchronized JsonNode get() {
      long now = clock.getAsLong();
      if (at == Long.MIN_VALUE || now - at >= maxAgeMillis) {
        value = source.get();
        at = now;
      }
      return value;
    }
  }

  @Override
  public void close() {
    if (gc != null) {
      gc.close();
      gc = null;
    }
    registry.close();
  }
}
