#!/usr/bin/env bash
# AWS Backup through the AWS CLI across two regions (two Tidemark servers): a plan whose hourly rule
# keeps points 35 days and copies each to a vault in eu-west-1, assigned to a table by its tag; the
# plan's own scheduled run (the us-east-1 server restarted with its AWS Backup clock moved past the
# next hour, a run missed while it was down that starts since its window is still open) makes the
# recovery point and its copy; both vaults list it; a restore of the copy in eu-west-1 into a new
# table holds the source's items. Then the recovery point's lifecycle is updated, and the point is
# copied to a vault of another account in us-east-1 (a third server, named by --copy-peer): refused
# until that vault's access policy allows the source account, then listed there with its source
# vault, lifecycle and creation date.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
EAST_PID=
WEST_PID=
ACCT_PID=
trap 'for p in $EAST_PID $WEST_PID $ACCT_PID; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
EAST=$(free_port)
WEST=$(free_port)
ACCT=$(free_port)
head -c 32 /dev/urandom | base64 >"$WORK/secret"
start_east() {
  start_server "$WORK/east" "$EAST" --region us-east-1 --replication-secret-file "$WORK/secret" \
    --peer "eu-west-1=http://127.0.0.1:$WEST" --copy-peer "222222222222:us-east-1=http://127.0.0.1:$ACCT"
  EAST_PID=$SERVER_PID
}
start_east
start_server "$WORK/west" "$WEST" --region eu-west-1 --replication-secret-file "$WORK/secret" \
  --peer "us-east-1=http://127.0.0.1:$EAST"
WEST_PID=$SERVER_PID
SERVER_PID=
east() { aws backup --endpoint-url "http://127.0.0.1:$EAST" --region us-east-1 --output json "$@"; }
west() { aws backup --endpoint-url "http://127.0.0.1:$WEST" --region eu-west-1 --output json "$@"; }
eddb() { aws dynamodb --endpoint-url "http://127.0.0.1:$EAST" --region us-east-1 --output json "$@"; }
wddb() { aws dynamodb --endpoint-url "http://127.0.0.1:$WEST" --region eu-west-1 --output json "$@"; }
ROLE=arn:aws:iam::000000000000:role/AWSBackupDefaultServiceRole
# Each AWS CLI call costs about a second of Python start-up: the checks ask for several fields at once.

eddb create-table --table-name Orders --attribute-definitions AttributeName=id,AttributeType=S \
  --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST \
  --tags Key=backup,Value=hourly >/dev/null
eddb batch-write-item --request-items "$(python3 -c 'import json; print(json.dumps({"Orders": [{"PutRequest": {"Item": {"id": {"S": "order-%d" % i}, "total": {"N": str(i * 3)}}}} for i in range(25)]}))')" >/dev/null

# The rule backs up to us-east-1's Default vault and copies to eu-west-1's, kept 60 days there.
read -r plan created < <(east create-backup-plan --backup-plan \
  '{"BackupPlanName":"hourly","Rules":[{"RuleName":"hourly","TargetBackupVaultName":"Default","ScheduleExpression":"cron(0 * ? * * *)","StartWindowMinutes":60,"Lifecycle":{"DeleteAfterDays":35},"CopyActions":[{"DestinationBackupVaultArn":"arn:aws:backup:eu-west-1:000000000000:backup-vault:Default","Lifecycle":{"DeleteAfterDays":60}}]}]}' \
  --query '[BackupPlanId,CreationDate]' --output text)
east create-backup-selection --backup-plan-id "$plan" --backup-selection \
  "{\"SelectionName\":\"tagged\",\"IamRoleArn\":\"$ROLE\",\"ListOfTags\":[{\"ConditionType\":\"STRINGEQUALS\",\"ConditionKey\":\"backup\",\"ConditionValue\":\"hourly\"}]}" >/dev/null

# The server is down over the next full hour and comes back one minute after it (its AWS Backup
# clock moved by the test setting): the run it missed is inside its 60-minute window, so it starts.
kill -TERM "$EAST_PID"; wait "$EAST_PID" 2>/dev/null || true
offset=$(python3 -c "import time; h = (int(float('$created')) // 3600 + 1) * 3600; print(int((h + 60) * 1000 - time.time() * 1000))")
JAVA_TOOL_OPTIONS="-Dtidemark.awsBackup.clockOffsetMillis=$offset" start_east
SERVER_PID=

# The run's backup job completes, then the rule's copy job (CreatedBy names the plan).
for _ in $(seq 1 100); do
  read -r state by source copied message < <(east list-copy-jobs --output text \
    --query 'CopyJobs[0].[State,CreatedBy.BackupPlanId,SourceRecoveryPointArn,DestinationRecoveryPointArn,StatusMessage]')
  [[ $state == COMPLETED || $state == FAILED ]] && break
  sleep 0.2
done
expect_eq "$state $by" "COMPLETED $plan" "the plan run's copy job ($message)"
read -r rp created_east < <(east list-recovery-points-by-backup-vault --backup-vault-name Default --output text \
  --query 'RecoveryPoints[0].[RecoveryPointArn,CreationDate]')
expect_eq "$source" "$rp" "the copy's source is the run's recovery point"
expect_eq "$(west list-recovery-points-by-backup-vault --backup-vault-name Default --output text \
  --query 'RecoveryPoints[0].[RecoveryPointArn,SourceBackupVaultArn,Lifecycle.DeleteAfterDays,CreationDate]')" \
  "$copied	arn:aws:backup:us-east-1:000000000000:backup-vault:Default	60	$created_east" \
  "the copy in eu-west-1: its source vault, its lifecycle, the source's creation date"

# Restore the copy in eu-west-1 into a new table and compare it with the source.
restore=$(west start-restore-job --recovery-point-arn "$copied" --iam-role-arn "$ROLE" --resource-type DynamoDB \
  --metadata targetTableName=OrdersDR --query RestoreJobId --output text)
for _ in $(seq 1 100); do
  status=$(west describe-restore-job --restore-job-id "$restore" --query Status --output text)
  [[ $status == COMPLETED || $status == FAILED ]] && break
  sleep 0.2
done
expect_eq "$status" "COMPLETED" "restore of the copy"
sorted='import json,sys; print(json.dumps(sorted(json.load(sys.stdin)["Items"], key=lambda i: i["id"]["S"]), sort_keys=True))'
expect_eq "$(wddb scan --table-name OrdersDR | python3 -c "$sorted")" "$(eddb scan --table-name Orders | python3 -c "$sorted")" \
  "restored copy equals the source"

# The point's lifecycle, changed after the fact: the answer carries the new CalculatedLifecycle.
read -r days delete_at < <(east update-recovery-point-lifecycle --backup-vault-name Default --recovery-point-arn "$rp" \
  --lifecycle DeleteAfterDays=40 --query '[Lifecycle.DeleteAfterDays,CalculatedLifecycle.DeleteAt]' --output text)
expect_eq "$days $(python3 -c "print(round(float('$delete_at') - float('$created_east')))")" "40 3456000" "updated lifecycle"

# A copy to another account's vault in the same region, on the server --copy-peer names.
start_server "$WORK/acct" "$ACCT" --region us-east-1 --account 222222222222 --replication-secret-file "$WORK/secret"
ACCT_PID=$SERVER_PID
SERVER_PID=
acct() { aws backup --endpoint-url "http://127.0.0.1:$ACCT" --region us-east-1 --output json "$@"; }
acct create-backup-vault --backup-vault-name xacct >/dev/null
XVAULT=arn:aws:backup:us-east-1:222222222222:backup-vault:xacct
copy_to_xacct() {
  local job
  job=$(east start-copy-job --recovery-point-arn "$rp" --source-backup-vault-name Default \
    --destination-backup-vault-arn "$XVAULT" --iam-role-arn "$ROLE" --query CopyJobId --output text)
  for _ in $(seq 1 100); do
    read -r state category < <(east describe-copy-job --copy-job-id "$job" --output text \
      --query 'CopyJob.[State,MessageCategory]')
    [[ $state == COMPLETED || $state == FAILED ]] && break
    sleep 0.2
  done
}
copy_to_xacct
expect_eq "$state $category" "FAILED ACCESS_DENIED" "a copy to another account's vault without its access policy"
acct put-backup-vault-access-policy --backup-vault-name xacct --policy \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"backup:CopyIntoBackupVault","Resource":"*"}]}'
copy_to_xacct
expect_eq "$state" "COMPLETED" "the copy once the vault's access policy allows the source account"
expect_eq "$(acct list-recovery-points-by-backup-vault --backup-vault-name xacct --output text \
  --query 'RecoveryPoints[0].[SourceBackupVaultArn,Lifecycle.DeleteAfterDays,CreationDate]')" \
  "arn:aws:backup:us-east-1:000000000000:backup-vault:Default	40	$created_east" \
  "the copy in the other account: its source vault, the source's lifecycle and creation date"
echo "aws-backup-plan-copy: OK"
