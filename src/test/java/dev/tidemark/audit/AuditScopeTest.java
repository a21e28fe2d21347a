package dev.tidemark.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.auth.DynamoPermissions;
import dev.tidemark.auth.IamPermissions;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Protects what the audit trail records of allowed requests, over every operation the server routes
 * (the permission tables list exactly those, {@code RouteGuardTest}): the data plane is the short
 * list below and nothing else, every other operation is recorded, every change is recorded durably,
 * and an operation nobody classified (a new API's) counts as a change.
 */
class AuditScopeTest {
  private static final Set<String> DATA =
      Set.of(
          "GetItem",
          "PutItem",
          "UpdateItem",
          "DeleteItem",
          "Query",
          "Scan",
          "BatchGetItem",
          "BatchWriteItem",
          "TransactGetItems",
          "TransactWriteItems",
          "DynamoDBStreams_20120810.GetRecords",
          "DynamoDBStreams_20120810.GetShardIterator");

  private static final Set<String> CHANGES =
      Set.of(
          "CreateTable",
          "UpdateTable",
          "DeleteTable",
          "CreateBackup",
          "DeleteBackup",
          "RestoreTableFromBackup",
          "RestoreTableToPointInTime",
          "UpdateContinuousBackups",
          "TagResource",
          "UntagResource",
          "UpdateTimeToLive",
          "iam:CreateUser",
          "iam:DeleteUser",
          "iam:CreateAccessKey",
          "iam:UpdateAccessKey",
          "iam:DeleteAccessKey",
          "iam:CreatePolicy",
          "iam:DeletePolicy",
          "iam:AttachUserPolicy",
          "iam:DetachUserPolicy",
          "iam:PutUserPolicy",
          "iam:DeleteUserPolicy",
          "iam:CreateGroup",
          "iam:DeleteGroup",
          "iam:AddUserToGroup",
          "iam:RemoveUserFromGroup",
          "iam:AttachGroupPolicy",
          "iam:DetachGroupPolicy",
          "iam:PutGroupPolicy",
          "iam:DeleteGroupPolicy",
          "iam:CreateRole",
          "iam:DeleteRole",
          "iam:UpdateAssumeRolePolicy",
          "iam:AttachRolePolicy",
          "iam:DetachRolePolicy",
          "iam:PutRolePolicy",
          "iam:DeleteRolePolicy",
          "iam:CreatePolicyVersion",
          "iam:DeletePolicyVersion",
          "iam:SetDefaultPolicyVersion",
          "sts:AssumeRole",
          "CreateGlobalTable",
          "UpdateGlobalTable",
          "UpdateGlobalTableSettings",
          "PutResourcePolicy",
          "DeleteResourcePolicy");

  @Test
  void everyRoutedOperationIsClassified() {
    Set<String> routed = new TreeSet<>(DynamoPermissions.OPERATIONS);
    routed.addAll(IamPermissions.OPERATIONS);
    assertThat(routed).containsAll(DATA).containsAll(CHANGES);
    for (String op : routed) {
      AuditScope.Kind expected =
          DATA.contains(op)
              ? AuditScope.Kind.DATA
              : CHANGES.contains(op) ? AuditScope.Kind.WRITE : AuditScope.Kind.READ;
      assertThat(AuditScope.of(op)).as(op).isEqualTo(expected);
    }
  }

  @Test
  void unknownOperationsAreChangesAndActionsAreNamedAsInPolicies() {
    assertThat(AuditScope.of("backup:StartBackupJob")).isEqualTo(AuditScope.Kind.WRITE);
    assertThat(AuditScope.of("CreateGlobalTable")).isEqualTo(AuditScope.Kind.WRITE);
    assertThat(AuditScope.of("PutResourcePolicy")).isEqualTo(AuditScope.Kind.WRITE);
    assertThat(AuditScope.of("backup:ListBackupPlans")).isEqualTo(AuditScope.Kind.READ);
    assertThat(AuditScope.action("DeleteBackup")).isEqualTo("dynamodb:DeleteBackup");
    assertThat(AuditScope.action("DynamoDBStreams_20120810.GetRecords"))
        .isEqualTo("dynamodb:GetRecords");
    assertThat(AuditScope.action("iam:CreateUser")).isEqualTo("iam:CreateUser");
  }
}
