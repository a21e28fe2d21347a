package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.ResourcePolicies;

/**
 * GetResourcePolicy: the policy attached to a table or a stream and its RevisionId. Unlike
 * DynamoDB's, the answer reflects every change acknowledged before it.
 */
public final class GetResourcePolicy implements Action {
  private final Database db;

  public GetResourcePolicy(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "GetResourcePolicy";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "ResourceArn");
    new Constraints()
        .notNull(Json.field(req, "ResourceArn"), "resourceArn")
        .length(arn, "resourceArn", 1, 1283)
        .check();
    ResourcePolicyRules.Resource r = ResourcePolicyRules.resolve(db, arn);
    ResourcePolicies.Stored current = db.catalog().resourcePolicies().find(r.target());
    if (current == null) {
      throw ResourcePolicyRules.policyNotFound(arn);
    }
    ObjectNode out = Json.object();
    out.put("Policy", current.text());
    out.put("RevisionId", current.revisionId());
    return out;
  }
}
