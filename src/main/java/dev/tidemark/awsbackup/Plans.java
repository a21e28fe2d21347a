package dev.tidemark.awsbackup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.managed.BackupPlan;
import dev.tidemark.managed.BackupPlans;
import dev.tidemark.managed.BackupRule;
import dev.tidemark.managed.BackupSelection;
import dev.tidemark.managed.CopyAction;
import dev.tidemark.managed.Lifecycle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading {@code BackupPlanInput} and {@code BackupSelection}, and rendering plans. */
public final class Plans {
  private Plans() {}

  /** The plan's name, from {@code BackupPlan.BackupPlanName}. */
  public static String name(Call call) {
    return new Call(plan(call), Map.of()).required("BackupPlanName");
  }

  public static List<BackupPlans.RuleInput> rules(Call call) {
    ObjectNode plan = plan(call);
    JsonNode rules = plan.get("Rules");
    if (rules == null || rules.isNull()) {
      new Call(plan, Map.of()).required("Rules");
    }
    if (!rules.isArray()) {
      throw Call.invalid("Invalid value for BackupPlan.Rules: expected a list.");
    }
    List<BackupPlans.RuleInput> out = new ArrayList<>();
    for (JsonNode r : rules) {
      if (!r.isObject()) {
        throw Call.invalid("Invalid value for BackupPlan.Rules: expected structures.");
      }
      Call rule = new Call((ObjectNode) r, Map.of());
      String name = rule.required("RuleName");
      Lifecycle lifecycle;
      try {
        lifecycle = rule.lifecycle("Lifecycle");
      } catch (DynamoException e) {
        throw new DynamoException(e.error(), "Error in rule " + name + " : " + e.getMessage());
      }
      List<CopyAction> copies = copyActions(name, r.get("CopyActions"));
      JsonNode continuous = r.get("EnableContinuousBackup");
      out.add(
          new BackupPlans.RuleInput(
              name,
              rule.required("TargetBackupVaultName"),
              rule.string("ScheduleExpression"),
              rule.string("ScheduleExpressionTimezone"),
              rule.number("StartWindowMinutes"),
              rule.number("CompletionWindowMinutes"),
              lifecycle,
              rule.map("RecoveryPointTags"),
              continuous != null && continuous.asBoolean(false),
              copies));
    }
    return out;
  }

  private static List<CopyAction> copyActions(String rule, JsonNode copies) {
    List<CopyAction> out = new ArrayList<>();
    if (copies == null || copies.isNull()) {
      return out;
    }
    if (!copies.isArray()) {
      throw Call.invalid("Invalid value for CopyActions: expected a list.");
    }
    for (JsonNode c : copies) {
      if (!c.isObject()) {
        throw Call.invalid("Invalid value for CopyActions: expected structures.");
      }
      Call action = new Call((ObjectNode) c, Map.of());
      try {
        out.add(
            new CopyAction(
                action.required("DestinationBackupVaultArn"), action.lifecycle("Lifecycle")));
      } catch (DynamoException e) {
        throw new DynamoException(e.error(), "Error in rule " + rule + " : " + e.getMessage());
      }
    }
    return out;
  }

  private static ObjectNode plan(Call call) {
    JsonNode p = call.input().get("BackupPlan");
    if (p == null || p.isNull()) {
      call.required("BackupPlan");
    }
    if (!p.isObject()) {
      throw Call.invalid("Invalid value for BackupPlan: expected a structure.");
    }
    return (ObjectNode) p;
  }

  public static BackupSelection selection(Call call, String planId) {
    JsonNode s = call.input().get("BackupSelection");
    if (s == null || s.isNull()) {
      call.required("BackupSelection");
    }
    if (!s.isObject()) {
      throw Call.invalid("Invalid value for BackupSelection: expected a structure.");
    }
    Call sel = new Call((ObjectNode) s, Map.of());
    List<BackupSelection.Tag> listOfTags = new ArrayList<>();
    JsonNode tags = s.get("ListOfTags");
    if (tags != null && tags.isArray()) {
      for (JsonNode t : tags) {
        Call c = new Call((ObjectNode) t, Map.of());
        if (!"STRINGEQUALS".equals(c.required("ConditionType"))) {
          throw Call.invalid("Invalid value for ConditionType: " + c.string("ConditionType"));
        }
        listOfTags.add(
            new BackupSelection.Tag(c.required("ConditionKey"), c.required("ConditionValue")));
      }
    }
    Map<String, List<BackupSelection.Tag>> conditions = new LinkedHashMap<>();
    JsonNode cond = s.get("Conditions");
    if (cond != null && cond.isObject()) {
      cond.fields()
          .forEachRemaining(
              e -> {
                List<BackupSelection.Tag> list = new ArrayList<>();
                for (JsonNode t : e.getValue()) {
                  Call c = new Call((ObjectNode) t, Map.of());
                  list.add(
                      new BackupSelection.Tag(
                          c.required("ConditionKey"), c.required("ConditionValue")));
                }
                conditions.put(e.getKey(), list);
              });
    }
    return new BackupSelection(
        "new",
        planId,
        sel.required("SelectionName"),
        sel.required("IamRoleArn"),
        sel.strings("Resources"),
        sel.strings("NotResources"),
        listOfTags,
        conditions,
        call.string("CreatorRequestId"),
        0);
  }

  public static ObjectNode selectionShape(BackupSelection s) {
    ObjectNode o = Shapes.object();
    o.put("SelectionName", s.name());
    o.put("IamRoleArn", s.iamRoleArn());
    ArrayNode r = o.putArray("Resources");
    s.resources().forEach(r::add);
    ArrayNode n = o.putArray("NotResources");
    s.notResources().forEach(n::add);
    ArrayNode l = o.putArray("ListOfTags");
    for (BackupSelection.Tag t : s.listOfTags()) {
      l.addObject()
          .put("ConditionType", "STRINGEQUALS")
          .put("ConditionKey", t.key())
          .put("ConditionValue", t.value());
    }
    ObjectNode c = o.putObject("Conditions");
    s.conditions()
        .forEach(
            (op, list) -> {
              ArrayNode a = c.putArray(op);
              list.forEach(
                  t -> a.addObject().put("ConditionKey", t.key()).put("ConditionValue", t.value()));
            });
    return o;
  }

  public static ObjectNode rule(BackupRule r) {
    ObjectNode o = Shapes.object();
    o.put("RuleName", r.ruleName());
    o.put("TargetBackupVaultName", r.targetVaultName());
    o.put("ScheduleExpression", r.scheduleExpression());
    o.put("StartWindowMinutes", r.startWindowMinutes());
    o.put("CompletionWindowMinutes", r.completionWindowMinutes());
    if (!r.lifecycle().isEmpty()) {
      o.set("Lifecycle", Shapes.lifecycle(r.lifecycle()));
    }
    if (!r.recoveryPointTags().isEmpty()) {
      o.set("RecoveryPointTags", Shapes.strings(r.recoveryPointTags()));
    }
    if (!r.copyActions().isEmpty()) {
      ArrayNode copies = o.putArray("CopyActions");
      for (CopyAction c : r.copyActions()) {
        ObjectNode a = copies.addObject();
        if (!c.lifecycle().isEmpty()) {
          a.set("Lifecycle", Shapes.lifecycle(c.lifecycle()));
        }
        a.put("DestinationBackupVaultArn", c.destinationBackupVaultArn());
      }
    }
    o.put("RuleId", r.ruleId());
    o.put("EnableContinuousBackup", false);
    o.put("ScheduleExpressionTimezone", r.timezone());
    return o;
  }

  /** CreateBackupPlan's and UpdateBackupPlan's answer. */
  public static ObjectNode created(BackupPlan p) {
    ObjectNode o = Shapes.object();
    o.put("BackupPlanId", p.id());
    o.put("BackupPlanArn", p.arn());
    o.put("CreationDate", Shapes.seconds(p.creationMillis()));
    o.put("VersionId", p.current().versionId());
    return o;
  }

  /** A BackupPlansListMember. */
  public static ObjectNode listMember(BackupPlan p) {
    ObjectNode o = created(p);
    if (p.deletionMillis() != null) {
      o.put("DeletionDate", Shapes.seconds(p.deletionMillis()));
    }
    o.put("BackupPlanName", p.current().name());
    if (p.creatorRequestId() != null) {
      o.put("CreatorRequestId", p.creatorRequestId());
    }
    if (p.lastExecutionMillis() != null) {
      o.put("LastExecutionDate", Shapes.seconds(p.lastExecutionMillis()));
    }
    return o;
  }
}
