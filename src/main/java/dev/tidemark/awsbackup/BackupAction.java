package dev.tidemark.awsbackup;

/**
 * One AWS Backup operation: where it lives on the wire (method and URI template, as in the API
 * model) and what it does. Refusals are {@link dev.tidemark.errors.DynamoException}s with AWS
 * Backup's error types from {@link dev.tidemark.errors.WireError}.
 */
public interface BackupAction {
  /** The operation name as in the API model, e.g. {@code CreateBackupVault}. */
  String name();

  /** The HTTP method. */
  String method();

  /**
   * The URI template, e.g. {@code /backup-vaults/{backupVaultName}}; a trailing slash is optional.
   */
  String uri();

  Answer execute(Call call);
}
