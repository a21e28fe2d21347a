package dev.tidemark.audit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which operations the audit trail records when they are allowed. Data-plane operations (item reads
 * and writes, queries, scans, batches, transactions, stream records) are recorded only when the
 * gate refuses them, so the hot path pays one map lookup and nothing else. Every other operation is
 * control plane: changes are recorded durably before their answer, reads (Describe, List, Get) are
 * recorded without waiting. An operation this class has never heard of (a new API, a new action) is
 * a change: it is recorded, and waited for.
 */
public final class AuditScope {
  /** How an operation is audited. */
  public enum Kind {
    /** Recorded only when refused. */
    DATA,
    /** A control-plane read: recorded, not waited for. */
    READ,
    /** A control-plane change: recorded and synced before the answer. */
    WRITE
  }

  static final String STREAMS_PREFIX = "DynamoDBStreams_20120810.";

  /** The data plane: operations on items and stream records. */
  public static final Set<String> DATA_PLANE =
      Set.of(
          "GetItem",
          "PutItem",
          "UpdateItem",
          "DeleteItem",
          "Query",
          "Scan",
          "BatchGetItem",
          "BatchWriteItem",
          "TransactGetItems",
          "TransactWriteItems",
          "ExecuteStatement",
          "BatchExecuteStatement",
          "ExecuteTransaction",
          STREAMS_PREFIX + "GetRecords",
          STREAMS_PREFIX + "GetShardIterator");

  private static final ConcurrentHashMap<String, Kind> KINDS = new ConcurrentHashMap<>();

  private AuditScope() {}

  public static Kind of(String operation) {
    Kind k = KINDS.get(operation);
    return k != null ? k : KINDS.computeIfAbsent(operation, AuditScope::classify);
  }

  private static Kind classify(String operation) {
    if (DATA_PLANE.contains(operation)) {
      return Kind.DATA;
    }
    String name = shortName(operation);
    return name.startsWith("Describe") || name.startsWith("List") || name.startsWith("Get")
        ? Kind.READ
        : Kind.WRITE;
  }

  /**
   * The IAM action an operation is recorded under: {@code dynamodb:CreateTable}, {@code iam:..}.
   */
  public static String action(String operation) {
    if (operation.indexOf(':') >= 0) {
      return operation;
    }
    return "dynamodb:" + shortName(operation);
  }

  private static String shortName(String operation) {
    if (operation.startsWith(STREAMS_PREFIX)) {
      return operation.substring(STREAMS_PREFIX.length());
    }
    int colon = operation.indexOf(':');
    return colon < 0 ? operation : operation.substring(colon + 1);
  }
}
