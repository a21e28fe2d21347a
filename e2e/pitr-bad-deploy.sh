#!/usr/bin/env bash
# The point-in-time recovery story through the AWS CLI: PITR is on, a bad deploy deletes 1,000
# orders, good writes carry on after it, and the table is restored into a new one as of just before
# the deploy: the 1,000 orders are back and the later good writes are not there.
# The AWS CLI sends RestoreDateTime in whole seconds, so the script leaves a second on each side of
# the instant it notes.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
start_server "$WORK/data" "$PORT" --backup-dir "$WORK/backups"

# bulk put|delete FROM TO [VALUE]: many single-item writes through boto3, eight at a time (a
# thousand AWS CLI calls would take minutes). Orders are ORD-00000...; customers are C0..C9.
bulk() {
  python3 - "$PORT" "$@" <<'PY'
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
port, op, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
value = sys.argv[5] if len(sys.argv) > 5 else ""
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
def write(i):
    key = {"OrderId": {"S": f"ORD-{i:05d}"}}
    if op == "put":
        ddb.put_item(TableName="Orders", Item={**key, "Customer": {"S": f"C{i % 10}"},
                                              "Status": {"S": value}, "Total": {"N": str(i)}})
    else:
        ddb.delete_item(TableName="Orders", Key=key)
with ThreadPoolExecutor(8) as pool:
    list(pool.map(write, range(lo, hi)))
PY
}

# wait_restorable ISO: until LatestRestorableDateTime reaches the instant.
wait_restorable() {
  python3 - "$PORT" "$1" <<'PY'
import sys, time, datetime, boto3
port, iso = sys.argv[1], sys.argv[2]
target = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
for _ in range(300):
    d = ddb.describe_continuous_backups(TableName="Orders")
    latest = d["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"]
    if latest >= target:
        sys.exit(0)
    time.sleep(0.1)
sys.exit(f"LatestRestorableDateTime did not reach {iso}")
PY
}

count() {
  ddb scan --table-name "$1" --select COUNT --query Count
}

ddb create-table --table-name Orders \
  --attribute-definitions AttributeName=OrderId,AttributeType=S AttributeName=Customer,AttributeType=S \
  --key-schema AttributeName=OrderId,KeyType=HASH \
  --global-secondary-indexes '[{"IndexName":"ByCustomer","KeySchema":[{"AttributeName":"Customer","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]' \
  --billing-mode PAY_PER_REQUEST >/dev/null
ddb update-continuous-backups --table-name Orders \
  --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=7 >/dev/null
expect_eq "$(ddb describe-continuous-backups --table-name Orders \
  --query 'ContinuousBackupsDescription.PointInTimeRecoveryDescription.[PointInTimeRecoveryStatus,RecoveryPeriodInDays]' \
  --output text)" "ENABLED	7" "PITR status and period"

bulk put 0 1200 PAID
sleep 1.1
before_deploy=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1.1

# The bad deploy: a migration deletes the first 1,000 orders.
bulk delete 0 1000
# Good writes after it: new orders, and an update of a surviving one.
bulk put 5000 5040 NEW
ddb update-item --table-name Orders --key '{"OrderId":{"S":"ORD-01100"}}' \
  --update-expression 'SET #s = :s' --expression-attribute-names '{"#s":"Status"}' \
  --expression-attribute-values '{":s":{"S":"REFUNDED"}}' >/dev/null
expect_eq "$(count Orders)" "240" "orders after the bad deploy"

wait_restorable "$before_deploy"
ddb restore-table-to-point-in-time --source-table-name Orders --target-table-name OrdersBeforeDeploy \
  --restore-date-time "$before_deploy" >/dev/null
ddb wait table-exists --table-name OrdersBeforeDeploy
expect_eq "$(ddb describe-table --table-name OrdersBeforeDeploy --query Table.TableStatus --output text)" \
  "ACTIVE" "restored table status"
expect_eq "$(count OrdersBeforeDeploy)" "1200" "orders restored"
expect_eq "$(ddb get-item --table-name OrdersBeforeDeploy --key '{"OrderId":{"S":"ORD-00042"}}' \
  --query Item.Status.S --output text)" "PAID" "a deleted order is back"
expect_eq "$(ddb get-item --table-name OrdersBeforeDeploy --key '{"OrderId":{"S":"ORD-05001"}}' \
  --query 'length(keys(@))')" "0" "a later good write is absent"
expect_eq "$(ddb get-item --table-name OrdersBeforeDeploy --key '{"OrderId":{"S":"ORD-01100"}}' \
  --query Item.Status.S --output text)" "PAID" "a later update is absent"
expect_eq "$(ddb query --table-name OrdersBeforeDeploy --index-name ByCustomer \
  --key-condition-expression 'Customer = :c' --expression-attribute-values '{":c":{"S":"C7"}}' \
  --select COUNT --query Count)" "120" "the restored index holds the restored orders"
restored_at=$(ddb describe-table --table-name OrdersBeforeDeploy \
  --query Table.RestoreSummary.RestoreDateTime --output text)
python3 - "$restored_at" "$before_deploy" <<'PY' || fail "RestoreSummary.RestoreDateTime is $restored_at, not $before_deploy"
import sys, datetime
got = sys.argv[1]
want = datetime.datetime.fromisoformat(sys.argv[2].replace("Z", "+00:00"))
try:
    t = datetime.datetime.fromisoformat(got)
except ValueError:
    t = datetime.datetime.fromtimestamp(float(got), datetime.timezone.utc)
sys.exit(0 if t == want else 1)
PY

# The latest restorable time still has the deploy's effect and the good writes.
ddb restore-table-to-point-in-time --source-table-name Orders --target-table-name OrdersLatest \
  --use-latest-restorable-time >/dev/null
ddb wait table-exists --table-name OrdersLatest
expect_eq "$(count OrdersLatest)" "240" "orders at the latest restorable time"

# An instant before the window is refused, and no table is created.
if ddb restore-table-to-point-in-time --source-table-name Orders --target-table-name OrdersTooEarly \
  --restore-date-time 2001-01-01T00:00:00Z 2>"$WORK/err" >/dev/null; then
  fail "a restore before the window succeeded"
fi
grep -q InvalidRestoreTimeException "$WORK/err" || fail "expected InvalidRestoreTimeException: $(cat "$WORK/err")"
echo "pitr-bad-deploy: OK"
