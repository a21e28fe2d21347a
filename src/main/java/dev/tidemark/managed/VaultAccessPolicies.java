package dev.tidemark.managed;

import dev.tidemark.auth.Check;
import dev.tidemark.auth.Facts;
import dev.tidemark.auth.PolicyDocument;
import dev.tidemark.auth.PolicyEvaluator;
import dev.tidemark.auth.Principal;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Vault access policies (Put/Get/DeleteBackupVaultAccessPolicy), durable in the meta space under
 * {@code aws-backup/vault-policy/<vault>}, and what they decide for copies: a copy from another
 * account goes into a vault only if its policy allows that account {@code
 * backup:CopyIntoBackupVault} on the vault; an explicit Deny refuses any copier, the vault's own
 * account included. Evaluated with the IAM policy evaluator's resource-based rules, the copier
 * being the source account's root.
 */
public final class VaultAccessPolicies {
  public static final String COPY_INTO = "backup:CopyIntoBackupVault";

  private final ManagedBackups core;
  private final MetaRecords<VaultAccessPolicy> records;
  private final Map<String, VaultAccessPolicy> byVault = new HashMap<>();

  public VaultAccessPolicies(ManagedBackups core) {
    this.core = core;
    this.records = new MetaRecords<>(core.db().storage(), "vault-policy", VaultAccessPolicy.class);
  }

  public void load() {
    synchronized (core) {
      records.all().forEach(p -> byVault.put(p.vaultName(), p));
    }
  }

  public void put(String vaultName, String policy) {
    synchronized (core) {
      Vault v = core.vault(vaultName);
      if (policy == null || policy.isEmpty()) {
        throw new DynamoException(
            WireError.MISSING_PARAMETER_VALUE, "Missing required parameter: Policy.");
      }
      parse(policy);
      VaultAccessPolicy p = new VaultAccessPolicy(v.name(), v.creationMillis(), policy);
      records.put(v.name(), p);
      byVault.put(v.name(), p);
    }
  }

  /** The vault's policy text. */
  public String get(String vaultName) {
    synchronized (core) {
      Vault v = core.vault(vaultName);
      VaultAccessPolicy p = current(v);
      if (p == null) {
        throw ManagedBackups.notFound("Backup Vault " + v.arn() + " has no associated POLICY");
      }
      return p.policy();
    }
  }

  public String vaultArn(String vaultName) {
    return core.vaultArn(vaultName);
  }

  public void delete(String vaultName) {
    synchronized (core) {
      Vault v = core.vault(vaultName);
      if (byVault.remove(v.name()) != null) {
        records.delete(v.name());
      }
    }
  }

  /**
   * Why {@code sourceAccount} may not copy into the vault, or null when it may. Called with the
   * core's monitor held.
   */
  /**
   * The copier is the source account's root, whose identity allows everything in its own account;
   * across accounts the evaluator wants both sides to allow, so the root's side is stated here.
   */
  private static final List<PolicyDocument> ROOT_IDENTITY = rootIdentity();

  private static List<PolicyDocument> rootIdentity() {
    try {
      return List.of(
          PolicyDocument.parse(
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                  + "\"Action\":\""
                  + COPY_INTO
                  + "\",\"Resource\":\"*\"}]}",
              PolicyDocument.Kind.IDENTITY));
    } catch (PolicyDocument.MalformedPolicyException e) {
      throw new IllegalStateException(e);
    }
  }

  String refusesCopy(Vault v, String sourceAccount) {
    VaultAccessPolicy p = current(v);
    boolean sameAccount = sourceAccount.equals(core.account());
    if (p == null) {
      return sameAccount ? null : denied(v, sourceAccount, "has no access policy");
    }
    PolicyDocument doc;
    try {
      doc = PolicyDocument.parse(p.policy(), PolicyDocument.Kind.RESOURCE);
    } catch (PolicyDocument.MalformedPolicyException e) {
      return denied(v, sourceAccount, "has an access policy this server cannot read");
    }
    PolicyEvaluator.Verdict verdict =
        PolicyEvaluator.decide(
            ROOT_IDENTITY,
            new Check(COPY_INTO, v.arn(), new Facts(), doc, true),
            new Principal(sourceAccount, null, sourceAccount, "copy-from-" + sourceAccount),
            new Facts());
    if (verdict == PolicyEvaluator.Verdict.RESOURCE_DENY) {
      return denied(v, sourceAccount, "denies it in its access policy");
    }
    if (sameAccount || verdict == PolicyEvaluator.Verdict.ALLOW) {
      return null;
    }
    return denied(v, sourceAccount, "does not allow it in its access policy");
  }

  private static String denied(Vault v, String account, String why) {
    return "Access denied: account "
        + account
        + " is not authorized to perform "
        + COPY_INTO
        + " on "
        + v.arn()
        + ": the vault "
        + why
        + ".";
  }

  private VaultAccessPolicy current(Vault v) {
    VaultAccessPolicy p = byVault.get(v.name());
    return p != null && p.vaultCreationMillis() == v.creationMillis() ? p : null;
  }

  private static void parse(String policy) {
    try {
      PolicyDocument.parse(policy, PolicyDocument.Kind.RESOURCE);
    } catch (PolicyDocument.MalformedPolicyException e) {
      throw new DynamoException(
          WireError.INVALID_PARAMETER_VALUE, "Invalid policy document: " + e.getMessage());
    }
  }
}
