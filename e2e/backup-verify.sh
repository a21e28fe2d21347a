#!/usr/bin/env bash
# `tidemark backup` from the shell: create and describe through the server, list and verify against
# the store alone, then corrupt one object: verify must name it and a restore must create no table.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
tm() { java -jar "$TIDEMARK_JAR" "$@"; }
start_server "$WORK/data" "$PORT" --backup-dir "$WORK/backups"

ddb create-table --table-name Ledger \
  --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH \
  --billing-mode PAY_PER_REQUEST >/dev/null
for i in $(seq 1 25); do
  ddb put-item --table-name Ledger --item "{\"id\":{\"S\":\"entry-$i\"},\"amount\":{\"N\":\"$i\"}}"
done
arn=$(tm backup create Ledger ledger-bk --endpoint "http://127.0.0.1:$PORT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["BackupDetails"]["BackupArn"])')
for _ in $(seq 1 100); do
  status=$(tm backup describe "$arn" --endpoint "http://127.0.0.1:$PORT" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["BackupDescription"]["BackupDetails"]["BackupStatus"])')
  [[ $status == AVAILABLE ]] && break
  sleep 0.1
done
expect_eq "$status" "AVAILABLE" "backup status"

tm backup list --backup-dir "$WORK/backups" | grep -q "ledger-bk" || fail "backup list does not show the backup"
tm backup verify "$arn" --backup-dir "$WORK/backups" | grep -q "^OK" || fail "verify of an intact backup failed"

object=$(find "$WORK/backups/tables" -path '*/data/*' -type f -print -quit)
python3 - "$object" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 1
open(p, 'wb').write(bytes(b))
PY
if out=$(tm backup verify "$arn" --backup-dir "$WORK/backups"); then fail "verify passed a corrupted backup"; fi
name=${object#"$WORK/backups/"}
grep -q "$name" <<<"$out" || fail "verify did not name the corrupted object $name: $out"

ddb restore-table-from-backup --target-table-name LedgerRestored --backup-arn "$arn" >/dev/null
for _ in $(seq 1 100); do
  ddb list-tables --query TableNames --output text | grep -q LedgerRestored || break
  sleep 0.1
done
if ddb list-tables --query TableNames --output text | grep -q LedgerRestored; then
  fail "a restore from a corrupted backup left a table"
fi
echo "backup-verify: OK"
