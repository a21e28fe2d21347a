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
 * DeleteResourcePolicy: detaches the policy of a table (which governs its indexes too) or of a
 * stream. Idempotent as on DynamoDB: without a policy the answer is empty, unless an
 * ExpectedRevisionId was given, which must name the current policy. The answer carries the
 * RevisionId of the policy removed.
 */
public final class DeleteResourcePolicy implements Action {
  private final Database db;

  public DeleteResourcePolicy(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "DeleteResourcePolicy";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "ResourceArn");
    String expected = Json.string(req, "ExpectedRevisionId");
    new Constraints()
        .notNull(Json.field(req, "ResourceArn"), "resourceArn")
        .length(arn, "resourceArn", 1, 1283)
        .length(expected, "expectedRevisionId", 1, 255)
        .check();
    synchronized (db.catalog()) {
      ResourcePolicyRules.Resource r = ResourcePolicyRules.resolve(db, arn);
      ResourcePolicies policies = db.catalog().resourcePolicies();
      ResourcePolicies.Stored current = policies.find(r.target());
      if (expected != null && (current == null || !current.revisionId().equals(expected))) {
        throw ResourcePolicyRules.revisionMismatch(r, expected, current);
      }
      ObjectNode out = Json.object();
      if (current != null) {
        policies.delete(r.target());
        out.put("RevisionId", current.revisionId());
      }
      return out;
    }
  }
}
