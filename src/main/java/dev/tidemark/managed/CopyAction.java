package dev.tidemark.managed;

import java.util.Objects;

/**
 * One of a backup rule's {@code CopyActions}: after the rule's backup job completes, its recovery
 * point is copied to this vault (here, in another region, or in another account).
 *
 * @param lifecycle the copy's lifecycle; {@link Lifecycle#NONE} keeps the source point's
 */
public record CopyAction(String destinationBackupVaultArn, Lifecycle lifecycle) {
  public CopyAction {
    Objects.requireNonNull(destinationBackupVaultArn);
    lifecycle = lifecycle == null ? Lifecycle.NONE : lifecycle;
  }
}
