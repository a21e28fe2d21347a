package dev.tidemark.managed;

import java.util.Objects;

/**
 * A backup vault's access policy (a resource-based IAM policy), as PutBackupVaultAccessPolicy
 * stored it.
 *
 * @param vaultCreationMillis the creation time of the vault it was put on: a vault deleted and
 *     created again under the same name does not inherit its predecessor's policy
 */
public record VaultAccessPolicy(String vaultName, long vaultCreationMillis, String policy) {
  public VaultAccessPolicy {
    Objects.requireNonNull(vaultName);
    Objects.requireNonNull(policy);
  }
}
