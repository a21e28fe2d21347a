package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.PolicyDocument;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.streams.StreamCatalog;
import dev.tidemark.streams.StreamDescriptor;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.ResourcePolicies;
import dev.tidemark.tables.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DynamoDB's rules for resource-based policies, shared by the three policy actions and CreateTable:
 * which ARNs may carry one (a table of this account and region, or one of its streams; its indexes
 * are governed by the table's policy), what a document may hold, and the texts of the refusals. The
 * texts are the ones DynamoDB answers (collected from the service by the AWS controllers'
 * API-quirks lab and moto's AWS-verified tests).
 */
final class ResourcePolicyRules {
  /** DynamoDB counts every byte, whitespace included. */
  static final int MAX_POLICY_BYTES = 20480;

  static final String NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: ";

  /** The actions a stream's policy governs; a table's policy may not name them. */
  private static final Set<String> STREAM_ACTIONS =
      Set.of("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator");

  private static final ObjectMapper JSON = new ObjectMapper();

  private ResourcePolicyRules() {}

  /** The resource a ResourceArn names: a table, or one of its streams. */
  record Resource(String arn, Table table, ResourcePolicies.Target target) {
    boolean isStream() {
      return target.streamLabel() != null;
    }
  }

  /** Resolves a ResourceArn, refusing it as DynamoDB does. */
  static Resource resolve(Database db, String arn) {
    if (!arn.startsWith("arn:")) {
      throw DynamoException.invalidParameter("ARNs must start with 'arn:': " + arn);
    }
    String[] parts = arn.split(":", 6);
    if (parts.length < 6 || !parts[2].equals("dynamodb")) {
      throw DynamoException.invalidParameter("Invalid resource Arn: " + arn);
    }
    if (!parts[4].equals(db.account())) {
      throw DynamoException.validation(
          "This action is only supported by accounts that match the resource owner\u2019s"
              + " account.");
    }
    if (!parts[1].equals("aws") || !parts[3].equals(db.region())) {
      throw DynamoException.invalidParameter("Invalid resource Arn: " + arn);
    }
    String resource = parts[5];
    if (!resource.startsWith("table/")) {
      throw DynamoException.invalidParameter("Provided Arn is not a DynamoDB resource arn: " + arn);
    }
    String rest = resource.substring("table/".length());
    int slash = rest.indexOf('/');
    String name = slash < 0 ? rest : rest.substring(0, slash);
    String sub = slash < 0 ? "" : rest.substring(slash);
    if (sub.startsWith("/index/")) {
      throw DynamoException.invalidParameter(
          "Invalid resource arn provided, only table or stream is accepted. Provided resource arn: "
              + arn);
    }
    if (!sub.isEmpty() && !sub.startsWith("/stream/")) {
      throw DynamoException.invalidParameter("Provided Arn is not a DynamoDB resource arn: " + arn);
    }
    Table table =
        db.catalog()
            .find(name)
            .filter(t -> !t.status().equals("CREATING") && !t.status().equals("DELETING"))
            .orElseThrow(
                () ->
                    DynamoException.resourceNotFound(
                        "Requested resource not found: Table: " + name + " not found"));
    if (sub.isEmpty()) {
      return new Resource(arn, table, ResourcePolicies.Target.table(table.id()));
    }
    String label = sub.substring("/stream/".length());
    boolean exists =
        StreamCatalog.parseArn(arn)
            .flatMap(a -> db.streams().find(a))
            .map(StreamDescriptor::tableId)
            .filter(id -> id == table.id())
            .isPresent();
    if (!exists) {
      throw DynamoException.resourceNotFound(
          "Requested resource not found: Stream: " + label + " not found for Table: " + name);
    }
    return new Resource(arn, table, ResourcePolicies.Target.stream(table.id(), label));
  }

  /**
   * Checks a policy document for a table ({@code stream} false) or a stream and returns it without
   * insignificant whitespace, the form it is stored, compared and returned in.
   */
  static String validate(Database db, String text, boolean stream) {
    String stored = validate(text, stream);
    ResourcePolicies policies = db.catalog().resourcePolicies();
    try {
      for (JsonNode s : statements(JSON.readTree(stored))) {
        for (String field : new String[] {"Principal", "NotPrincipal"}) {
          JsonNode p = s.get(field);
          for (String principal : p == null ? List.<String>of() : texts(p.get("AWS"))) {
            if (!policies.principalExists(principal)) {
              // DynamoDB's text for a principal IAM does not know (as for one not yet propagated).
              throw DynamoException.invalidParameter("Invalid principal in policy document.");
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("a validated policy no longer parses", e);
    }
    return stored;
  }

  private static List<JsonNode> statements(JsonNode root) {
    List<JsonNode> list = new ArrayList<>();
    JsonNode statements = root.get("Statement");
    if (statements.isArray()) {
      statements.forEach(list::add);
    } else {
      list.add(statements);
    }
    return list;
  }

  private static String validate(String text, boolean stream) {
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_POLICY_BYTES) {
      throw DynamoException.invalidParameter(
          "Maximum policy size of " + MAX_POLICY_BYTES + " bytes exceeded");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      root = null;
    }
    if (root == null || !root.isObject()) {
      throw invalidDocument("This policy contains invalid Json");
    }
    JsonNode statements = root.get("Statement");
    if (statements == null) {
      throw invalidDocument("Missing required field Statement");
    }
    List<JsonNode> list = new ArrayList<>();
    if (statements.isArray()) {
      statements.forEach(list::add);
    } else {
      list.add(statements);
    }
    if (list.isEmpty()) {
      throw invalidDocument("Could not parse the policy: Statement is empty!");
    }
    Set<String> sids = new HashSet<>();
    List<String> invalidActions = new ArrayList<>();
    for (JsonNode s : list) {
      if (!s.isObject()) {
        throw invalidDocument("This policy contains invalid Json");
      }
      JsonNode sid = s.get("Sid");
      if (sid != null && !sids.add(sid.asText())) {
        throw invalidDocument("The Statement Ids in the policy are not unique");
      }
      if (!s.has("Resource") && !s.has("NotResource")) {
        throw invalidDocument("Missing required field Resource");
      }
      if (!s.has("Principal") && !s.has("NotPrincipal")) {
        throw invalidDocument("Missing required field Principal");
      }
      for (String action : texts(s.get("Action"))) {
        if (action.contains("*") || action.contains("?")) {
          continue;
        }
        if (STREAM_ACTIONS.contains(action) != stream && !invalidActions.contains(action)) {
          invalidActions.add(action);
        }
      }
      if ("Allow".equals(s.path("Effect").asText())
          && !s.has("Condition")
          && everyone(s.get("Principal"))) {
        // DynamoDB's own sentence, without the usual "One or more parameter values" prefix.
        throw DynamoException.validation(
            "Resource-based policy grants unbounded access in one or more elements. Please revise"
                + " the policy to ensure least-privilege form of access");
      }
    }
    if (!invalidActions.isEmpty()) {
      throw invalidDocument(
          "The following action names are invalid: \""
              + String.join("\", \"", invalidActions)
              + "\"");
    }
    try {
      PolicyDocument.parse(text, PolicyDocument.Kind.RESOURCE);
    } catch (PolicyDocument.MalformedPolicyException e) {
      throw invalidDocument(e.getMessage());
    }
    return root.toString();
  }

  static DynamoException policyNotFound(String detail) {
    return new DynamoException(WireError.POLICY_NOT_FOUND, NOT_FOUND + detail);
  }

  /**
   * The refusal of an ExpectedRevisionId that is not the current one ({@code current} null: there
   * is no policy).
   */
  static DynamoException revisionMismatch(
      Resource r, String expected, ResourcePolicies.Stored current) {
    if (current == null) {
      return policyNotFound(r.arn());
    }
    return policyNotFound(
        "Requested update for policy with revision id "
            + expected
            + ", but the policy associated to target table "
            + r.table().name()
            + " has revision id "
            + current.revisionId()
            + ".");
  }

  private static DynamoException invalidDocument(String detail) {
    return DynamoException.invalidParameter("Invalid policy document: " + detail);
  }

  /** {@code "*"} or {@code {"AWS": "*"}} (alone or in a list). */
  private static boolean everyone(JsonNode principal) {
    if (principal == null) {
      return false;
    }
    if (principal.isTextual()) {
      return principal.asText().equals("*");
    }
    return texts(principal.get("AWS")).contains("*");
  }

  private static List<String> texts(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (n.isArray()) {
      n.forEach(e -> out.add(e.asText()));
    } else {
      out.add(n.asText());
    }
    return out;
  }
}
