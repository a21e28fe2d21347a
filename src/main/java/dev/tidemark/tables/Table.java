package dev.tidemark.tables;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A live table: its current definition plus counters kept up to date by the write path. The
 * definition is swapped whole on updates; readers always see a consistent one.
 */
public final class Table {
  private volatile TableDefinition definition;
  private volatile String status;
  private volatile RestoreSummary restoreSummary;
  private volatile Replication replication;
  private volatile StrongReplication strong;
  final AtomicLong itemCount;
  final AtomicLong sizeBytes;

  Table(TableDefinition definition, String status, long itemCount, long sizeBytes) {
    this.definition = definition;
    this.status = status;
    this.itemCount = new AtomicLong(itemCount);
    this.sizeBytes = new AtomicLong(sizeBytes);
  }

  public TableDefinition definition() {
    return definition;
  }

  void definition(TableDefinition d) {
    this.definition = d;
  }

  public String status() {
    return status;
  }

  void status(String s) {
    this.status = s;
  }

  /** Where this table was restored from, or null when it was created. */
  public RestoreSummary restoreSummary() {
    return restoreSummary;
  }

  void restoreSummary(RestoreSummary r) {
    this.restoreSummary = r;
  }

  /** The table's replica group, or null for a regional table (nothing to stamp or ship). */
  public Replication replication() {
    return replication;
  }

  /** Joins, changes or (null) leaves a replica group; the replication package persists it. */
  public void replication(Replication r) {
    this.replication = r;
  }

  /** The table's MRSC group, or null unless it is a strongly consistent global table. */
  public StrongReplication strong() {
    return strong;
  }

  /** Joins or (null) leaves an MRSC group; the replication.strong package persists it. */
  public void strong(StrongReplication s) {
    this.strong = s;
  }

  /** Sets the status DescribeTable reports (a replica is CREATING while it is filled). */
  public void markStatus(String s) {
    this.status = s;
  }

  /** Whether data-plane requests may use the table: DynamoDB refuses them while it is created. */
  public boolean isUsable() {
    return "ACTIVE".equals(status) || "UPDATING".equals(status);
  }

  public long id() {
    return definition.id();
  }

  public String name() {
    return definition.name();
  }

  public KeySchema keySchema() {
    return definition.keySchema();
  }

  public long itemCount() {
    return itemCount.get();
  }

  public long sizeBytes() {
    return sizeBytes.get();
  }
}
