package dev.tidemark.awsbackup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.managed.BackupSelection;
import dev.tidemark.managed.RestoreTest;
import dev.tidemark.managed.RestoreTestingPlan;
import dev.tidemark.managed.RestoreTestingSelection;
import dev.tidemark.managed.RestoreTests;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading the restore testing inputs and rendering their outputs, as the API model shapes them. */
public final class RestoreTesting {
  private RestoreTesting() {}

  /** The member {@code name} as a structure, or null when absent. */
  public static Call struct(Call call, String name) {
    JsonNode v = call.input().get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw Call.invalid("Invalid value for " + name + ": expected a structure.");
    }
    return new Call((ObjectNode) v, Map.of());
  }

  /** {@code RestoreTestingPlanForCreate} or {@code ...ForUpdate}. */
  public static RestoreTests.PlanInput planInput(Call plan) {
    Call sel = struct(plan, "RecoveryPointSelection");
    RestoreTestingPlan.PointSelection ps = null;
    if (sel != null) {
      Long days = sel.number("SelectionWindowDays");
      ps =
          new RestoreTestingPlan.PointSelection(
              sel.string("Algorithm") == null ? "" : sel.string("Algorithm"),
              sel.strings("IncludeVaults"),
              sel.strings("ExcludeVaults"),
              sel.strings("RecoveryPointTypes"),
              days == null
                  ? RestoreTestingPlan.PointSelection.DEFAULT_WINDOW_DAYS
                  : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, days)));
    }
    return new RestoreTests.PlanInput(
        plan.string("ScheduleExpression"),
        plan.string("ScheduleExpressionTimezone"),
        plan.number("StartWindowHours"),
        ps);
  }

  /** {@code RestoreTestingSelectionForCreate} or {@code ...ForUpdate}. */
  public static RestoreTests.SelectionInput selectionInput(Call s) {
    Map<String, List<BackupSelection.Tag>> conditions = null;
    Call c = struct(s, "ProtectedResourceConditions");
    if (c != null) {
      conditions = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : iterable(c.input())) {
        if (!e.getValue().isArray()) {
          throw Call.invalid(
              "Invalid value for ProtectedResourceConditions." + e.getKey() + ": expected a list.");
        }
        List<BackupSelection.Tag> list = new ArrayList<>();
        for (JsonNode t : e.getValue()) {
          if (!t.isObject()) {
            throw Call.invalid("Invalid value for ProtectedResourceConditions." + e.getKey() + ".");
          }
          Call kv = new Call((ObjectNode) t, Map.of());
          list.add(new BackupSelection.Tag(kv.required("Key"), kv.required("Value")));
        }
        conditions.put(e.getKey(), list);
      }
    }
    JsonNode overrides = s.input().get("RestoreMetadataOverrides");
    return new RestoreTests.SelectionInput(
        s.string("ProtectedResourceType"),
        s.string("IamRoleArn"),
        s.input().has("ProtectedResourceArns") ? s.strings("ProtectedResourceArns") : null,
        conditions,
        overrides == null || overrides.isNull() ? null : s.map("RestoreMetadataOverrides"),
        s.number("ValidationWindowHours"));
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(ObjectNode o) {
    return o::fields;
  }

  /** Paging with this API's capitalised {@code MaxResults}/{@code NextToken} query names. */
  public static Call capitalisedPaging(Call call) {
    Map<String, String> q = new HashMap<>();
    if (call.query("MaxResults") != null) {
      q.put("maxResults", call.query("MaxResults"));
    }
    if (call.query("NextToken") != null) {
      q.put("nextToken", call.query("NextToken"));
    }
    return new Call(call.input(), q);
  }

  public static ObjectNode pointSelection(RestoreTestingPlan.PointSelection ps) {
    ObjectNode o = Shapes.object();
    o.put("Algorithm", ps.algorithm());
    strings(o.putArray("IncludeVaults"), ps.includeVaults());
    strings(o.putArray("ExcludeVaults"), ps.excludeVaults());
    strings(o.putArray("RecoveryPointTypes"), ps.recoveryPointTypes());
    o.put("SelectionWindowDays", ps.selectionWindowDays());
    return o;
  }

  /** RestoreTestingPlanForList; {@code full} adds what RestoreTestingPlanForGet has more. */
  public static ObjectNode plan(RestoreTestingPlan p, boolean full) {
    ObjectNode o = Shapes.object();
    o.put("CreationTime", Shapes.seconds(p.creationMillis()));
    if (p.lastExecutionMillis() != null) {
      o.put("LastExecutionTime", Shapes.seconds(p.lastExecutionMillis()));
    }
    if (p.updateMillis() != null) {
      o.put("LastUpdateTime", Shapes.seconds(p.updateMillis()));
    }
    o.put("RestoreTestingPlanArn", p.arn());
    o.put("RestoreTestingPlanName", p.name());
    o.put("ScheduleExpression", p.scheduleExpression());
    o.put("ScheduleExpressionTimezone", p.timezone());
    o.put("StartWindowHours", p.startWindowHours());
    if (full) {
      if (p.creatorRequestId() != null) {
        o.put("CreatorRequestId", p.creatorRequestId());
      }
      o.set("RecoveryPointSelection", pointSelection(p.pointSelection()));
    }
    return o;
  }

  /** RestoreTestingSelectionForList; {@code full} adds what RestoreTestingSelectionForGet has. */
  public static ObjectNode selection(RestoreTestingSelection s, boolean full) {
    ObjectNode o = Shapes.object();
    o.put("CreationTime", Shapes.seconds(s.creationMillis()));
    o.put("IamRoleArn", s.iamRoleArn());
    o.put("ProtectedResourceType", s.resourceType());
    o.put("RestoreTestingPlanName", s.planName());
    o.put("RestoreTestingSelectionName", s.name());
    o.put("ValidationWindowHours", s.validationWindowHours());
    if (full) {
      if (s.creatorRequestId() != null) {
        o.put("CreatorRequestId", s.creatorRequestId());
      }
      strings(o.putArray("ProtectedResourceArns"), s.resourceArns());
      if (!s.conditions().isEmpty()) {
        ObjectNode c = o.putObject("ProtectedResourceConditions");
        s.conditions()
            .forEach(
                (op, list) -> {
                  ArrayNode a = c.putArray(op);
                  list.forEach(t -> a.addObject().put("Key", t.key()).put("Value", t.value()));
                });
      }
      if (!s.metadataOverrides().isEmpty()) {
        o.set("RestoreMetadataOverrides", Shapes.strings(s.metadataOverrides()));
      }
    }
    return o;
  }

  /** The restore testing members of a restore job (RestoreJobsListMember, DescribeRestoreJob). */
  public static void addTo(ObjectNode job, RestoreTest t) {
    job.putObject("CreatedBy").put("RestoreTestingPlanArn", t.planArn());
    if (t.validationStatus() != null) {
      job.put("ValidationStatus", t.validationStatus());
    }
    if (t.validationMessage() != null) {
      job.put("ValidationStatusMessage", t.validationMessage());
    }
    if (t.deletionStatus() != null) {
      job.put("DeletionStatus", t.deletionStatus());
    }
    if (t.deletionMessage() != null) {
      job.put("DeletionStatusMessage", t.deletionMessage());
    }
  }

  private static void strings(ArrayNode a, List<String> values) {
    values.forEach(a::add);
  }
}
