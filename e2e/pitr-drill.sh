#!/usr/bin/env bash
# `tidemark pitr status|restore`, and the README's "the disk is gone" drill command for command:
# restore to a millisecond through the server; then the server is killed and its data directory
# deleted, a fresh server starts on an empty one with the same backup store and key, and the table
# is restored by ARN from the store alone (invariant I3). A deleted table's window is listed too.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
ENDPOINT="http://127.0.0.1:$PORT"
# The master key lives apart from the data directory, like the backup store.
python3 -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())' >"$WORK/backup.key"
chmod 600 "$WORK/backup.key"
start_server "$WORK/data" "$PORT" --backup-dir "$WORK/backups" --backup-key-file "$WORK/backup.key"

for t in Accounts Scratch; do
  ddb create-table --table-name "$t" --attribute-definitions AttributeName=id,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
  ddb update-continuous-backups --table-name "$t" \
    --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true >/dev/null
done
writes Scratch 0 3 1
ddb delete-table --table-name Scratch >/dev/null

writes Accounts 0 50 100
sleep 0.05
T=$(now_ms)
sleep 0.05
# The incident: half the balances zeroed, and new accounts opened after it.
writes Accounts 0 25 0
writes Accounts 50 55 100
wait_restorable Accounts "$(now_ms)"

status=$(tm pitr status --endpoint "$ENDPOINT")
echo "$status"
grep -Eq "^Accounts +ENABLED +35 +[0-9T:.-]+Z \.\. [0-9T:.-]+Z$" <<<"$status" \
  || fail "pitr status does not show the Accounts window: $status"

tm pitr restore Accounts AccountsAtT --to "$T" --wait --endpoint "$ENDPOINT"
expect_eq "$(ddb scan --table-name AccountsAtT --select COUNT --query Count)" "50" "accounts as of $T"
expect_eq "$(balance AccountsAtT acct-3)" "100" "a zeroed balance as of $T"
expect_eq "$(ddb describe-table --table-name AccountsAtT --query Table.RestoreSummary.SourceTableArn --output text)" \
  "arn:aws:dynamodb:us-east-1:000000000000:table/Accounts" "restore summary"
tm pitr restore Accounts AccountsLatest --latest --wait --endpoint "$ENDPOINT"
expect_eq "$(ddb scan --table-name AccountsLatest --select COUNT --query Count)" "55" "accounts at the latest time"
expect_eq "$(balance AccountsLatest acct-3)" "0" "the incident at the latest time"
if tm pitr restore Accounts Nope --to "$T" --latest --endpoint "$ENDPOINT" 2>/dev/null; then
  fail "pitr restore accepted both --to and --latest"
fi
if out=$(tm pitr restore Accounts Nope --to 2001-01-01T00:00:00.000Z --endpoint "$ENDPOINT" 2>&1); then
  fail "pitr restore before the window succeeded"
fi
grep -q "InvalidRestoreTimeException" <<<"$out" || fail "expected InvalidRestoreTimeException: $out"

# The disk is gone: kill the server and delete its data directory.
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
rm -rf "$WORK/data"

# The drill: a fresh server, an empty data directory, the same backup store and key.
start_server "$WORK/fresh-data" "$PORT" --backup-dir "$WORK/backups" --backup-key-file "$WORK/backup.key"
expect_eq "$(ddb list-tables --query 'length(TableNames)')" "0" "tables on the fresh server"
status=$(tm pitr status --backup-dir "$WORK/backups" --backup-key-file "$WORK/backup.key")
echo "$status"
grep -Eq "^arn:aws:dynamodb:us-east-1:000000000000:table/Accounts +TableId=[0-9a-f-]+ +ENABLED +35 days" <<<"$status" \
  || fail "the store does not show the Accounts window: $status"
grep -Eq "^arn:aws:dynamodb:us-east-1:000000000000:table/Scratch +TableId=[0-9a-f-]+ +DELETED at " <<<"$status" \
  || fail "the store does not show the deleted Scratch table: $status"
tm pitr restore arn:aws:dynamodb:us-east-1:000000000000:table/Accounts Accounts --to "$T" --wait \
  --endpoint "$ENDPOINT"
expect_eq "$(ddb scan --table-name Accounts --select COUNT --query Count)" "50" "accounts restored on the fresh server"
expect_eq "$(balance Accounts acct-3)" "100" "a balance restored on the fresh server"
expect_eq "$(balance Accounts acct-40)" "100" "an untouched balance restored on the fresh server"
echo "pitr-drill: OK"
