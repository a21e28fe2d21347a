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
 * PutResourcePolicy: attaches a resource-based policy to a table or a stream, or replaces it. The
 * same document again is a no-op answering the same RevisionId; ExpectedRevisionId makes the change
 * conditional ({@code NO_POLICY}: only when there is none). Whether the new policy would lock the
 * caller out of changing it again ({@code ConfirmRemoveSelfResourceAccess}) is decided by the
 * authorization gate, which knows the caller's policies.
 */
public final class PutResourcePolicy implements Action {
  static final String NO_POLICY = "NO_POLICY";
  private final Database db;

  public PutResourcePolicy(Database db) {
    this.db = db;
  }

  @Override
  public String name() {
    return "PutResourcePolicy";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String arn = Json.string(req, "ResourceArn");
    String policy = Json.string(req, "Policy");
    String expected = Json.string(req, "ExpectedRevisionId");
    Json.bool(req, "ConfirmRemoveSelfResourceAccess");
    new Constraints()
        .notNull(Json.field(req, "ResourceArn"), "resourceArn")
        .length(arn, "resourceArn", 1, 1283)
        .notNull(Json.field(req, "Policy"), "policy")
        .length(expected, "expectedRevisionId", 1, 255)
        .check();
    synchronized (db.catalog()) {
      ResourcePolicyRules.Resource r = ResourcePolicyRules.resolve(db, arn);
      String text = ResourcePolicyRules.validate(db, policy, r.isStream());
      ResourcePolicies policies = db.catalog().resourcePolicies();
      ResourcePolicies.Stored current = policies.find(r.target());
      if (NO_POLICY.equals(expected)) {
        if (current != null) {
          throw ResourcePolicyRules.policyNotFound(
              "Requested policy update expecting none to be present for table "
                  + r.table().name()
                  + ", but a policy exists with revision id "
                  + current.revisionId()
                  + ".");
        }
      } else if (expected != null && (current == null || !current.revisionId().equals(expected))) {
        throw ResourcePolicyRules.revisionMismatch(r, expected, current);
      }
      String revision;
      if (current != null && current.text().equals(text)) {
        revision = current.revisionId();
      } else {
        revision = policies.nextRevision(db.now());
        policies.put(r.target(), new ResourcePolicies.Stored(text, revision));
      }
      ObjectNode out = Json.object();
      out.put("RevisionId", revision);
      return out;
    }
  }
}
