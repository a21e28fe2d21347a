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
  [[ " $* " == *" --backup-dir "* ]] || backups=(--backup-dir "$data.backups")
  java -jar "$TIDEMARK_JAR" --port "$port" --data-dir "$data" "${backups[@]}" "$@" >>"$data.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server exited; log:" >&2; cat "$data.log" >&2; return 1; fi
    sleep 0.1
  done
  echo "server did not start in 15 s; log:" >&2
  cat "$data.log" >&2
  return 1
}

stop_server() {
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
