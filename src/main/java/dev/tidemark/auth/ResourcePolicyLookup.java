package dev.tidemark.auth;

import dev.tidemark.tables.ResourcePolicies;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableCatalog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resource-based policy that governs a resource ARN of a check, for the gate: a table's policy
 * for the table and its indexes, a stream's for the stream. Backups, exports and global tables have
 * none, as on DynamoDB. Costs one emptiness check per request while no resource has a policy, and a
 * catalog lookup and a map lookup per check otherwise; documents are compiled once per revision.
 */
public final class ResourcePolicyLookup {
  private final String tablePrefix;
  private final TableCatalog catalog;
  private final Map<ResourcePolicies.Stored, PolicyDocument> compiled = new ConcurrentHashMap<>();

  public ResourcePolicyLookup(String region, String account, TableCatalog catalog) {
    this.tablePrefix = "arn:aws:dynamodb:" + region + ":" + account + ":table/";
    this.catalog = catalog;
  }

  /** The policy governing {@code arn}, or null. */
  PolicyDocument find(String arn) {
    ResourcePolicies policies = catalog.resourcePolicies();
    if (policies.isEmpty() || !arn.startsWith(tablePrefix)) {
      return null;
    }
    int slash = arn.indexOf('/', tablePrefix.length());
    String name =
        slash < 0
            ? arn.substring(tablePrefix.length())
            : arn.substring(tablePrefix.length(), slash);
    Table t = catalog.find(name).orElse(null);
    if (t == null) {
      return null;
    }
    ResourcePolicies.Target target;
    if (slash < 0 || arn.startsWith("/index/", slash)) {
      target = ResourcePolicies.Target.table(t.id());
    } else if (arn.startsWith("/stream/", slash)) {
      target = ResourcePolicies.Target.stream(t.id(), arn.substring(slash + "/stream/".length()));
    } else {
      return null;
    }
    ResourcePolicies.Stored s = policies.find(target);
    return s == null ? null : compile(s);
  }

  private PolicyDocument compile(ResourcePolicies.Stored s) {
    PolicyDocument d = compiled.get(s);
    if (d == null) {
      if (compiled.size() > 10_000) {
        compiled.clear();
      }
      try {
        d = PolicyDocument.parse(s.text(), PolicyDocument.Kind.RESOURCE);
      } catch (PolicyDocument.MalformedPolicyException e) {
        // Every stored document passed the same parser when it was attached.
        throw new IllegalStateException("a stored resource policy no longer compiles", e);
      }
      compiled.put(s, d);
    }
    return d;
  }
}
