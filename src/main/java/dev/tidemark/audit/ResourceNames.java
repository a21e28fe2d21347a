package dev.tidemark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.Check;
import dev.tidemark.auth.DynamoPermissions;
import dev.tidemark.auth.IamPermissions;
import dev.tidemark.auth.Principal;
import java.util.ArrayList;
import java.util.List;

/**
 * The resources of a request as the permission tables name them for authorization, so that the
 * audit trail and the policies speak of the same ARNs: tables, indexes, streams, backups (and a
 * restore's target table), IAM users and policies.
 */
public final class ResourceNames implements AuditingGate.Resources {
  private final DynamoPermissions dynamo;
  private final IamPermissions iam;
  private final Principal nobody;

  /**
   * @param iam the IAM permission table, or null where IAM is not served (open mode)
   */
  public ResourceNames(DynamoPermissions dynamo, IamPermissions iam, String account) {
    this.dynamo = dynamo;
    this.iam = iam;
    // Stands in for an unknown caller; an ARN naming it is dropped, never recorded.
    this.nobody = new Principal(account, "\u0000unknown", "unknown", "unknown");
  }

  @Override
  public List<String> of(String operation, JsonNode input, Principal caller) {
    List<Check> checks;
    if (operation.startsWith("iam:") || operation.startsWith("sts:")) {
      checks = iam == null ? null : iam.checks(operation, input, caller == null ? nobody : caller);
    } else {
      checks = dynamo.checks(operation, input);
    }
    if (checks == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(checks.size());
    for (Check c : checks) {
      String r = c.resource();
      if (r != null
          && !r.isEmpty()
          && !r.equals("*")
          && !r.equals(nobody.arn())
          && !out.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }
}
