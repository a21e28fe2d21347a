package dev.tidemark.managed;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;

/**
 * UpdateRecoveryPointLifecycle on the core: the new lifecycle replaces the point's whole lifecycle
 * (AWS: "Not including them may result in your plan updating with null values"), and the janitor
 * follows it from its next pass, since both the move to cold storage and the deletion are computed
 * from the point's lifecycle and creation date.
 *
 * <p>Refusals, checked before anything changes: the point must be COMPLETED and not halfway into
 * cold storage; once COLD its MoveToColdStorageAfterDays cannot change (AWS: "The transition to
 * cold after days setting cannot be changed after a backup has been transitioned to cold"); and in
 * a locked vault (governance or compliance mode alike: AWS denies lifecycle changes in a locked
 * vault, the modes differ only in who may remove the lock) the new retention must lie within the
 * lock's MinRetentionDays..MaxRetentionDays and must not be shorter than the point's current one,
 * so no one can bring its deletion forward. A governance lock can first be removed by a caller
 * allowed to call DeleteBackupVaultLockConfiguration; a compliance lock past its lock date cannot.
 */
public final class RecoveryPointLifecycles {
  private final ManagedBackups core;

  public RecoveryPointLifecycles(ManagedBackups core) {
    this.core = core;
  }

  /** The point after the update. */
  public RecoveryPoint update(String vaultName, String pointArn, Lifecycle requested) {
    synchronized (core) {
      RecoveryPoint p = core.point(vaultName, pointArn);
      if (!RecoveryPoint.COMPLETED.equals(p.status())) {
        throw refused(
            "Recovery point "
                + pointArn
                + " is "
                + p.status()
                + " and its lifecycle cannot be"
                + " changed yet.");
      }
      if (core.isMovingToCold(p)) {
        throw refused(
            "Recovery point "
                + pointArn
                + " is being moved to cold storage; its lifecycle cannot be changed until the"
                + " move is complete.");
      }
      Lifecycle current = p.lifecycle();
      if ("COLD".equals(core.storageClass(p))
          && !java.util.Objects.equals(
              current.moveToColdStorageAfterDays(), requested.moveToColdStorageAfterDays())) {
        throw refused(
            "Invalid lifecycle. MoveToColdStorageAfterDays cannot be changed after the recovery"
                + " point has been transitioned to cold storage.");
      }
      Vault v = core.vault(vaultName);
      if (v.lock() != null) {
        String violation = ManagedBackups.lockViolation(v, requested);
        if (violation != null) {
          throw refused(violation);
        }
        if (shortens(current, requested)) {
          throw refused(
              "Recovery point "
                  + pointArn
                  + " is in locked backup vault "
                  + vaultName
                  + ": its retention cannot be shortened (it is "
                  + days(current.deleteAfterDays())
                  + ", "
                  + days(requested.deleteAfterDays())
                  + " was requested).");
        }
      }
      RecoveryPoint updated = p.withLifecycle(requested);
      core.filePoint(updated);
      return updated;
    }
  }

  /** Whether the new retention ends earlier than the current one (null is "kept until deleted"). */
  private static boolean shortens(Lifecycle current, Lifecycle requested) {
    Integer now = current.deleteAfterDays();
    Integer next = requested.deleteAfterDays();
    return next != null && (now == null || next < now);
  }

  private static String days(Integer d) {
    return d == null ? "always" : d + " days";
  }

  private static DynamoException refused(String message) {
    return new DynamoException(WireError.INVALID_REQUEST, message);
  }
}
