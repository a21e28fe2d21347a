# Shared helpers for the end-to-end scripts: start and stop a Tidemark server process and talk to
# it with the AWS CLI. Source it; it needs TIDEMARK_JAR (defaults to target/tidemark.jar).
set -euo pipefail
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TIDEMARK_JAR=${TIDEMARK_JAR:-$E2E_ROOT/target/tidemark.jar}
export AWS_ACCESS_KEY_ID=e2e AWS_SECRET_ACCESS_KEY=e2e AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
export AWS_EC2_METADATA_DISABLED=true

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_server DATA_DIR PORT [extra args...]: starts the server in the background, waits until it answers.
start_server() {
  local data=$1 port=$2
  shift 2
  # Backups (and the key created beside them) stay in the scratch area unless a script says where.
  local backups=()
  [[ " $* " == *" --backup-dir "* || " $* " == *" --backup-store "* ]] || backups=(--backup-dir "$data.backups")
  java -jar "$TIDEMARK_JAR" --port "$port" --data-dir "$data" "${backups[@]}" "$@" >>"$data.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    # With TLS_CA set the server is expected to serve HTTPS with a certificate that CA signed.
    if [[ -n "${TLS_CA:-}" ]]; then
      if curl -fsS --cacert "$TLS_CA" "https://127.0.0.1:$port/" >/dev/null 2>&1; then return 0; fi
    elif curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server exited; log:" >&2; cat "$data.log" >&2; return 1; fi
    sleep 0.1
  done
  echo "server did not start in 15 s; log:" >&2
  cat "$data.log" >&2
  return 1
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

ddb() {
  aws dynamodb --endpoint-url "http://127.0.0.1:$PORT" --output json "$@"
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

expect_eq() {
  [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"
}

# ---- the PITR drills' helpers (need PORT) ----

# tm ARGS: the tidemark command line.
tm() { java -jar "$TIDEMARK_JAR" "$@"; }

# writes TABLE FROM TO BALANCE: accounts acct-FROM..acct-(TO-1) with a balance, through boto3.
writes() {
  python3 - "$PORT" "$@" <<'PY'
import sys, boto3
port, table, lo, hi, balance = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
for i in range(lo, hi):
    ddb.put_item(TableName=table, Item={"id": {"S": f"acct-{i}"}, "balance": {"N": balance}})
PY
}

now_ms() {
  python3 -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"))'
}

# wait_restorable TABLE ISO: until the table's LatestRestorableDateTime reaches the instant.
wait_restorable() {
  python3 - "$PORT" "$1" "$2" <<'PY'
import sys, time, datetime, boto3
port, table, iso = sys.argv[1], sys.argv[2], sys.argv[3]
target = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
for _ in range(300):
    d = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    if d["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"] >= target:
        sys.exit(0)
    time.sleep(0.1)
sys.exit(f"LatestRestorableDateTime of {table} did not reach {iso}")
PY
}

balance() {
  ddb get-item --table-name "$1" --key "{\"id\":{\"S\":\"$2\"}}" --query Item.balance.N --output text
}
