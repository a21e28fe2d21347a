package dev.tidemark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A backup as the API reports it. AVAILABLE records mirror a manifest in the store; CREATING ones
 * exist only in memory until their manifest is written.
 *
 * @param tableUuid the source table incarnation's TableId (the store's table key)
 * @param schema the source table's definition as stored in the manifest
 * @param expiryMillis when a SYSTEM backup expires, or null
 */
public record BackupRecord(
    String arn,
    String name,
    String type,
    String status,
    String tableName,
    String tableUuid,
    String tableArn,
    long creationMillis,
    long sizeBytes,
    long itemCount,
    String manifestName,
    JsonNode schema,
    LogPosition position,
    Long expiryMillis) {
  public BackupRecord {
    Objects.requireNonNull(arn);
    Objects.requireNonNull(name);
    Objects.requireNonNull(type);
    Objects.requireNonNull(status);
    Objects.requireNonNull(schema);
  }

  public BackupRecord withStatus(String newStatus) {
    return copy(newStatus, schema);
  }

  public BackupRecord withSchema(JsonNode newSchema) {
    return copy(status, newSchema);
  }

  private BackupRecord copy(String newStatus, JsonNode newSchema) {
    return new BackupRecord(
        arn,
        name,
        type,
        newStatus,
        tableName,
        tableUuid,
        tableArn,
        creationMillis,
        sizeBytes,
        itemCount,
        manifestName,
        newSchema,
        position,
        expiryMillis);
  }

  /** The backup id: the ARN's suffix after {@code /backup/}. */
  public String backupId() {
    return arn.substring(arn.lastIndexOf('/') + 1);
  }
}
