#!/usr/bin/env bash
# The README's "the disk is gone" drill with the backup store in an S3 bucket (S3Proxy, a real
# S3-compatible server, started here): a server backs up and archives a table to the bucket; the
# bucket, as `aws s3` sees it, holds only ciphertext; then the server is killed and its data
# directory deleted, and a fresh server with an empty data directory, the same bucket and the same
# key lists the backup and the PITR window and restores both (invariant I3). The S3 secret never
# appears in the server's log or the commands' output.
source "$(dirname "$0")/lib.sh"
S3PROXY_JAR=${S3PROXY_JAR:-$E2E_ROOT/target/s3proxy/s3proxy.jar}
[[ -f "$S3PROXY_JAR" ]] || fail "no S3Proxy jar at $S3PROXY_JAR (mvn generate-test-resources puts it there)"
WORK=$(mktemp -d)
S3_PID=
trap 'stop_server; [[ -n "$S3_PID" ]] && kill "$S3_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(free_port)
S3_PORT=$(free_port)
ENDPOINT="http://127.0.0.1:$PORT"
S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
BUCKET=tidemark-drill
STORE="s3://$BUCKET/prod/tidemark"

# The S3 credentials, through the standard AWS variables: Tidemark's S3 client reads them, and
# DynamoDB calls to Tidemark accept any credentials anyway.
export AWS_ACCESS_KEY_ID=drill-access
AWS_SECRET_ACCESS_KEY="drill-secret-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
export AWS_SECRET_ACCESS_KEY

mkdir -p "$WORK/s3data"
cat >"$WORK/s3proxy.conf" <<EOF
s3proxy.endpoint=$S3_ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3data
EOF
LOG_LEVEL=warn java -Xmx128m -XX:+UseSerialGC -jar "$S3PROXY_JAR" --properties "$WORK/s3proxy.conf" \
  >"$WORK/s3proxy.log" 2>&1 &
S3_PID=$!
for _ in $(seq 1 300); do
  (echo >"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break
  kill -0 "$S3_PID" 2>/dev/null || { cat "$WORK/s3proxy.log" >&2; fail "S3Proxy exited"; }
  sleep 0.1
done
s3() { aws --endpoint-url "$S3_ENDPOINT" "$@"; }
s3 s3 mb "s3://$BUCKET" >/dev/null

python3 -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())' >"$WORK/backup.key"
chmod 600 "$WORK/backup.key"
S3_FLAGS=(--backup-store "$STORE" --s3-endpoint "$S3_ENDPOINT" --s3-path-style)

# Without a configured key an S3 store refuses to start: a key made on this host would die with it.
if java -jar "$TIDEMARK_JAR" --port "$PORT" --data-dir "$WORK/nokey" "${S3_FLAGS[@]}" \
  >"$WORK/nokey.log" 2>&1; then
  fail "a server with an S3 store and no key started"
fi
grep -q "needs its master key" "$WORK/nokey.log" || fail "no clear message without a key: $(cat "$WORK/nokey.log")"

start_server "$WORK/data" "$PORT" "${S3_FLAGS[@]}" --backup-key-file "$WORK/backup.key"
grep -q "enforce" "$WORK/data.log" && fail "the probe complained about S3Proxy: $(cat "$WORK/data.log")"

ddb create-table --table-name Accounts --attribute-definitions AttributeName=id,AttributeType=S \
  --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
ddb update-continuous-backups --table-name Accounts \
  --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true >/dev/null
CANARY="canary-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
ddb put-item --table-name Accounts --item "{\"id\":{\"S\":\"vip\"},\"note\":{\"S\":\"$CANARY\"}}"
writes Accounts 0 40 100
BACKUP_ARN=$(ddb create-backup --table-name Accounts --backup-name nightly \
  --query BackupDetails.BackupArn --output text)
for _ in $(seq 1 300); do
  st=$(ddb describe-backup --backup-arn "$BACKUP_ARN" \
    --query BackupDescription.BackupDetails.BackupStatus --output text)
  [[ "$st" == AVAILABLE ]] && break
  sleep 0.1
done
expect_eq "$st" "AVAILABLE" "the backup's status"
writes Accounts 40 50 100
sleep 0.05
T=$(now_ms)
sleep 0.05
writes Accounts 0 25 0 # the incident
wait_restorable Accounts "$(now_ms)"

# What the bucket holds: manifests, table data and PITR segments under the prefix, all ciphertext.
listing=$(s3 s3 ls --recursive "s3://$BUCKET/")
echo "$listing" | sed -n '1,12p'
for part in manifests/ tables/ pitr/; do
  grep -q " prod/tidemark/$part" <<<"$listing" || fail "no $part objects in the bucket: $listing"
done
s3 s3 cp --recursive --quiet "s3://$BUCKET/" "$WORK/bucket-copy"
if grep -rqa "$CANARY" "$WORK/bucket-copy"; then fail "an item value is readable in the bucket"; fi
if grep -rqa "Accounts" "$WORK/bucket-copy/prod/tidemark/tables"; then fail "plaintext in table data"; fi
if grep -rqaF "$(cat "$WORK/backup.key")" "$WORK/bucket-copy"; then fail "the master key is in the bucket"; fi

# The host is gone: kill the server and delete its data directory.
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
rm -rf "$WORK/data"

# The drill: a fresh server, an empty data directory, the same bucket and key. The store commands
# find the endpoint through the SDK's standard variable this time.
start_server "$WORK/fresh-data" "$PORT" "${S3_FLAGS[@]}" --backup-key-file "$WORK/backup.key"
expect_eq "$(ddb list-tables --query 'length(TableNames)')" "0" "tables on the fresh server"
export AWS_ENDPOINT_URL_S3="$S3_ENDPOINT"
backups=$(tm backup list --backup-store "$STORE" --s3-path-style --backup-key-file "$WORK/backup.key")
echo "$backups"
grep -q "nightly.*$BACKUP_ARN" <<<"$backups" || fail "the store does not list the backup: $backups"
verify=$(tm backup verify "$BACKUP_ARN" --backup-store "$STORE" --s3-path-style \
  --backup-key-file "$WORK/backup.key")
grep -q "^OK " <<<"$verify" || fail "verify on S3: $verify"
status=$(tm pitr status --backup-store "$STORE" --s3-path-style --backup-key-file "$WORK/backup.key")
unset AWS_ENDPOINT_URL_S3
echo "$status"
grep -Eq "^arn:aws:dynamodb:us-east-1:000000000000:table/Accounts +TableId=[0-9a-f-]+ +ENABLED +35 days" <<<"$status" \
  || fail "the store does not show the Accounts window: $status"

tm pitr restore arn:aws:dynamodb:us-east-1:000000000000:table/Accounts Accounts --to "$T" --wait \
  --endpoint "$ENDPOINT"
expect_eq "$(ddb scan --table-name Accounts --select COUNT --query Count)" "51" "accounts restored to T"
expect_eq "$(balance Accounts acct-3)" "100" "a balance from before the incident"
ddb restore-table-from-backup --target-table-name Nightly --backup-arn "$BACKUP_ARN" >/dev/null
for _ in $(seq 1 300); do
  st=$(ddb describe-table --table-name Nightly --query Table.TableStatus --output text)
  [[ "$st" == ACTIVE ]] && break
  sleep 0.1
done
expect_eq "$(ddb scan --table-name Nightly --select COUNT --query Count)" "41" "items in the restored backup"
expect_eq "$(ddb get-item --table-name Nightly --key '{"id":{"S":"vip"}}' --query Item.note.S --output text)" \
  "$CANARY" "the canary, decrypted from the bucket"

for f in "$WORK/data.log" "$WORK/fresh-data.log" "$WORK/nokey.log"; do
  if grep -qF "$AWS_SECRET_ACCESS_KEY" "$f"; then fail "the S3 secret appears in $f"; fi
done
echo "s3-drill: OK"
