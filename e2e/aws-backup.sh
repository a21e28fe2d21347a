#!/usr/bin/env bash
# AWS Backup through the AWS CLI, unchanged but for --endpoint-url: a vault, an on-demand backup
# job of a table, its recovery point listed by vault and by table ARN, a restore job into a new
# table compared item by item with the source, the vault refusing deletion while it holds the
# point, a vault lock refusing an early delete, a copy to another vault and a vault access policy,
# a plan with a tag selection and its runs preview, a restore testing plan and selection, and
# everything still there after a restart.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
start_server "$WORK/data" "$PORT" --backup-dir "$WORK/backups"
bk() { aws backup --endpoint-url "http://127.0.0.1:$PORT" --output json "$@"; }
TABLE_ARN=arn:aws:dynamodb:us-east-1:000000000000:table/Orders
ROLE=arn:aws:iam::000000000000:role/AWSBackupDefaultServiceRole

ddb create-table --table-name Orders \
  --attribute-definitions AttributeName=id,AttributeType=S AttributeName=line,AttributeType=N \
  --key-schema AttributeName=id,KeyType=HASH AttributeName=line,KeyType=RANGE \
  --billing-mode PAY_PER_REQUEST >/dev/null
ddb batch-write-item --request-items "$(python3 -c 'import json; print(json.dumps({"Orders": [{"PutRequest": {"Item": {"id": {"S": "order-%d" % (i % 4)}, "line": {"N": str(i)}, "sku": {"S": "sku-%d" % i}}}} for i in range(1, 21)]}))')" >/dev/null

bk create-backup-vault --backup-vault-name daily --backup-vault-tags team=payments >/dev/null
expect_eq "$(bk list-backup-vaults --query 'BackupVaultList[].BackupVaultName' --output text)" \
  "Default	daily" "vaults"
job=$(bk start-backup-job --backup-vault-name daily --resource-arn "$TABLE_ARN" --iam-role-arn "$ROLE" \
  --lifecycle DeleteAfterDays=35 --query BackupJobId --output text)
for _ in $(seq 1 100); do
  state=$(bk describe-backup-job --backup-job-id "$job" --query State --output text)
  [[ $state == COMPLETED || $state == FAILED ]] && break
  sleep 0.1
done
expect_eq "$state" "COMPLETED" "backup job state"
rp=$(bk list-recovery-points-by-backup-vault --backup-vault-name daily \
  --query 'RecoveryPoints[0].RecoveryPointArn' --output text)
[[ $rp =~ ^arn:aws:backup:us-east-1:000000000000:recovery-point:[0-9A-F-]{36}$ ]] || fail "recovery point ARN: $rp"
expect_eq "$(bk list-recovery-points-by-resource --resource-arn "$TABLE_ARN" --query 'RecoveryPoints[0].RecoveryPointArn' --output text)" \
  "$rp" "points by table ARN (a %2F in the path)"
expect_eq "$(bk describe-recovery-point --backup-vault-name daily --recovery-point-arn "$rp" --query Lifecycle.DeleteAfterDays)" \
  "35" "lifecycle"
if out=$(bk delete-backup-vault --backup-vault-name daily 2>&1); then fail "a vault holding a point was deleted"; fi
[[ $out == *"(InvalidRequestException)"*"Backup vault cannot be deleted because it contains recovery points."* ]] \
  || fail "delete-backup-vault: $out"

# A lock (governance mode): an early delete is refused until the lock is removed.
bk put-backup-vault-lock-configuration --backup-vault-name daily --min-retention-days 7 --max-retention-days 35
expect_eq "$(bk describe-backup-vault --backup-vault-name daily --query Locked)" "true" "vault locked"
if out=$(bk delete-recovery-point --backup-vault-name daily --recovery-point-arn "$rp" 2>&1); then fail "early delete in a locked vault"; fi
[[ $out == *"(InvalidRequestException)"*"cannot be deleted before its retention ends."* ]] || fail "locked delete: $out"
bk delete-backup-vault-lock-configuration --backup-vault-name daily

restore=$(bk start-restore-job --recovery-point-arn "$rp" --iam-role-arn "$ROLE" --resource-type DynamoDB \
  --metadata targetTableName=OrdersRestored --query RestoreJobId --output text)
for _ in $(seq 1 100); do
  status=$(bk describe-restore-job --restore-job-id "$restore" --query Status --output text)
  [[ $status == COMPLETED || $status == FAILED ]] && break
  sleep 0.1
done
expect_eq "$status" "COMPLETED" "restore job status"
expect_eq "$(bk describe-restore-job --restore-job-id "$restore" --query CreatedResourceArn --output text)" \
  "arn:aws:dynamodb:us-east-1:000000000000:table/OrdersRestored" "CreatedResourceArn"
scan_sorted() { ddb scan --table-name "$1" --query 'Items' --output json | python3 -c 'import json,sys; print(json.dumps(sorted(json.load(sys.stdin), key=lambda i: (i["id"]["S"], int(i["line"]["N"])))))'; }
expect_eq "$(scan_sorted OrdersRestored)" "$(scan_sorted Orders)" "restored items"

# A copy to another vault: verified, with the source's creation date and its own lifecycle.
bk create-backup-vault --backup-vault-name copies >/dev/null
copy=$(bk start-copy-job --recovery-point-arn "$rp" --source-backup-vault-name daily --iam-role-arn "$ROLE" \
  --destination-backup-vault-arn arn:aws:backup:us-east-1:000000000000:backup-vault:copies \
  --lifecycle DeleteAfterDays=90 --query CopyJobId --output text)
for _ in $(seq 1 200); do
  state=$(bk describe-copy-job --copy-job-id "$copy" --query CopyJob.State --output text)
  [[ $state == COMPLETED || $state == FAILED ]] && break
  sleep 0.1
done
expect_eq "$state" "COMPLETED" "copy job state"
crp=$(bk describe-copy-job --copy-job-id "$copy" --query CopyJob.DestinationRecoveryPointArn --output text)
expect_eq "$(bk describe-recovery-point --backup-vault-name copies --recovery-point-arn "$crp" --query SourceBackupVaultArn --output text)" \
  "arn:aws:backup:us-east-1:000000000000:backup-vault:daily" "copy's source vault"
expect_eq "$(bk describe-recovery-point --backup-vault-name copies --recovery-point-arn "$crp" --query CreationDate)" \
  "$(bk describe-recovery-point --backup-vault-name daily --recovery-point-arn "$rp" --query CreationDate)" "copy's creation date"
expect_eq "$(bk list-copy-jobs --by-destination-vault-arn arn:aws:backup:us-east-1:000000000000:backup-vault:copies --query 'length(CopyJobs)')" \
  "1" "list-copy-jobs by destination"
bk put-backup-vault-access-policy --backup-vault-name copies --policy \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"backup:CopyIntoBackupVault","Resource":"*"}]}'
expect_eq "$(bk get-backup-vault-access-policy --backup-vault-name copies --query 'length(Policy)')" "125" "access policy"
bk delete-backup-vault-access-policy --backup-vault-name copies
if out=$(bk get-backup-vault-access-policy --backup-vault-name copies 2>&1); then fail "a deleted policy was returned"; fi
[[ $out == *"(ResourceNotFoundException)"*"has no associated POLICY"* ]] || fail "get-backup-vault-access-policy: $out"
bk delete-recovery-point --backup-vault-name copies --recovery-point-arn "$crp"

# A plan with a daily rule kept 35 days, assigned by tag; its next runs are previewed.
plan=$(bk create-backup-plan --backup-plan '{"BackupPlanName":"daily","Rules":[{"RuleName":"daily-5am","TargetBackupVaultName":"daily","ScheduleExpression":"cron(0 5 ? * * *)","ScheduleExpressionTimezone":"Europe/Paris","Lifecycle":{"DeleteAfterDays":35}}]}' \
  --query BackupPlanId --output text)
bk create-backup-selection --backup-plan-id "$plan" --backup-selection \
  "{\"SelectionName\":\"tagged\",\"IamRoleArn\":\"$ROLE\",\"ListOfTags\":[{\"ConditionType\":\"STRINGEQUALS\",\"ConditionKey\":\"backup\",\"ConditionValue\":\"daily\"}]}" >/dev/null
expect_eq "$(bk get-backup-plan --backup-plan-id "$plan" --max-scheduled-runs-preview 2 --query 'length(ScheduledRunsPreview)')" \
  "2" "scheduled runs preview"
if out=$(bk delete-backup-plan --backup-plan-id "$plan" 2>&1); then fail "a plan with a selection was deleted"; fi
[[ $out == *"(InvalidRequestException)"* ]] || fail "delete-backup-plan: $out"

# A restore testing plan and selection (their runs are tested in RestoreTestingIntegrationTest).
rtp=$(bk create-restore-testing-plan --restore-testing-plan \
  '{"RestoreTestingPlanName":"nightly","ScheduleExpression":"cron(0 3 ? * * *)","RecoveryPointSelection":{"Algorithm":"LATEST_WITHIN_WINDOW","IncludeVaults":["*"],"RecoveryPointTypes":["SNAPSHOT"],"SelectionWindowDays":7}}' \
  --query RestoreTestingPlanArn --output text)
[[ $rtp == arn:aws:backup:us-east-1:000000000000:restore-testing-plan:nightly-* ]] || fail "restore testing plan ARN: $rtp"
bk create-restore-testing-selection --restore-testing-plan-name nightly --restore-testing-selection \
  "{\"RestoreTestingSelectionName\":\"orders\",\"ProtectedResourceType\":\"DynamoDB\",\"IamRoleArn\":\"$ROLE\",\"ProtectedResourceArns\":[\"$TABLE_ARN\"],\"ValidationWindowHours\":2}" >/dev/null
expect_eq "$(bk list-restore-testing-selections --restore-testing-plan-name nightly --query 'RestoreTestingSelections[0].ValidationWindowHours')" \
  "2" "restore testing selection"
expect_eq "$(bk get-restore-testing-inferred-metadata --backup-vault-name daily --recovery-point-arn "$rp" --query InferredMetadata.deletionProtection --output text)" \
  "false" "inferred metadata"
if out=$(bk put-restore-validation-result --restore-job-id "$restore" --validation-status SUCCESSFUL 2>&1); then fail "validation of a job no plan started"; fi
[[ $out == *"(InvalidRequestException)"*"was not started by a restore testing plan"* ]] || fail "put-restore-validation-result: $out"
expect_eq "$(bk list-restore-jobs-by-protected-resource --resource-arn "$TABLE_ARN" --query 'RestoreJobs[0].RestoreJobId' --output text)" \
  "$restore" "restore jobs by table"

stop_server
start_server "$WORK/data" "$PORT" --backup-dir "$WORK/backups"
expect_eq "$(bk get-restore-testing-plan --restore-testing-plan-name nightly --query RestoreTestingPlan.RecoveryPointSelection.Algorithm --output text)" \
  "LATEST_WITHIN_WINDOW" "restore testing plan after restart"
bk delete-restore-testing-selection --restore-testing-plan-name nightly --restore-testing-selection-name orders
bk delete-restore-testing-plan --restore-testing-plan-name nightly
expect_eq "$(bk list-restore-testing-plans --query 'length(RestoreTestingPlans)')" "0" "restore testing plan deleted"
expect_eq "$(bk describe-backup-vault --backup-vault-name daily --query NumberOfRecoveryPoints)" "1" "points after restart"
expect_eq "$(bk list-backup-jobs --by-state COMPLETED --query 'BackupJobs[0].BackupJobId' --output text)" "$job" "jobs after restart"
expect_eq "$(bk list-backup-selections --backup-plan-id "$plan" --query 'BackupSelectionsList[0].SelectionName' --output text)" \
  "tagged" "selection after restart"
expect_eq "$(bk list-backup-selections --backup-plan-id "$plan" --query 'BackupSelectionsList[0].SelectionName' --output text)" \
  "tagged" "selection after restart"
bk delete-recovery-point --backup-vault-name daily --recovery-point-arn "$rp"
bk delete-backup-vault --backup-vault-name daily
echo "aws-backup: OK"
