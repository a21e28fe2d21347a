package dev.tidemark.tables;

/**
 * Provisioned capacity as declared. Tidemark does not throttle, but reports what was asked so that
 * tools that read it back (Terraform) see no drift.
 */
public record Throughput(long readCapacityUnits, long writeCapacityUnits) {
  public static final Throughput ZERO = new Throughput(0, 0);

  public Throughput {
    if (readCapacityUnits < 0 || writeCapacityUnits < 0) {
      throw new IllegalArgumentException("capacity must not be negative");
    }
  }
}
