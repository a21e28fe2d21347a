package dev.tidemark.backup;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What the caller (CreateBackup, the PITR base-snapshot taker) knows about a backup; the writer
 * adds the data key and the object list to make a {@link Manifest}.
 *
 * @param backupType {@code USER}, {@code SYSTEM}, {@code AWS_BACKUP} or a type of the caller's own
 *     (such as a PITR base); stored as given
 * @param tableId the table incarnation; a re-created table has a new id and its own backups
 * @param tableSchema the table's definition, indexes and settings; opaque here, owned by the caller
 * @param position the change-log position the snapshot was taken at
 * @param sizeBytes the table's size as DynamoDB reports it (BackupSizeBytes), not stored bytes
 * @param creationTimeMillis the request time, reported as BackupCreationDateTime
 */
public record BackupMetadata(
    String backupArn,
    String backupName,
    String backupType,
    String tableName,
    String tableId,
    String tableArn,
    JsonNode tableSchema,
    LogPosition position,
    long itemCount,
    long sizeBytes,
    long creationTimeMillis) {

  public BackupMetadata {
    requireText(backupArn, "backupArn");
    requireText(backupName, "backupName");
    requireText(backupType, "backupType");
    requireText(tableName, "tableName");
    BackupLayout.checkId(tableId, "table id");
    requireText(tableArn, "tableArn");
    Objects.requireNonNull(tableSchema, "tableSchema");
    Objects.requireNonNull(position, "position");
    if (itemCount < 0 || sizeBytes < 0 || creationTimeMillis < 0) {
      throw new IllegalArgumentException("counts, sizes and times must be non-negative");
    }
    // JsonNode is mutable; a copy keeps the record a value.
    tableSchema = tableSchema.deepCopy();
  }

  @Override
  public JsonNode tableSchema() {
    return tableSchema.deepCopy();
  }

  private static void requireText(String s, String field) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
  }
}
