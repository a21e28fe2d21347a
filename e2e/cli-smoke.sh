#!/usr/bin/env bash
# End-to-end through the AWS CLI: create a table, write, query, restart the server, read it all back.
# Usage: e2e/cli-smoke.sh   (needs target/tidemark.jar; `./tidemark --help` builds it)
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
start_server "$WORK/data" "$PORT"

ddb create-table --table-name Music \
  --attribute-definitions AttributeName=Artist,AttributeType=S AttributeName=SongTitle,AttributeType=S \
  --key-schema AttributeName=Artist,KeyType=HASH AttributeName=SongTitle,KeyType=RANGE \
  --billing-mode PAY_PER_REQUEST >/dev/null
ddb wait table-exists --table-name Music

for i in $(seq 1 20); do
  ddb put-item --table-name Music \
    --item "{\"Artist\":{\"S\":\"Acme Band\"},\"SongTitle\":{\"S\":\"Song $(printf %02d "$i")\"},\"Plays\":{\"N\":\"$i\"}}"
done
ddb update-item --table-name Music --key '{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"Song 01"}}' \
  --update-expression 'SET Plays = Plays + :inc, Tags = :tags' \
  --expression-attribute-values '{":inc":{"N":"100"},":tags":{"SS":["rock","live"]}}' >/dev/null
if ddb put-item --table-name Music --item '{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"Song 02"}}' \
  --condition-expression 'attribute_not_exists(Artist)' 2>"$WORK/err"; then
  fail "conditional put over an existing item succeeded"
fi
grep -q ConditionalCheckFailedException "$WORK/err" || fail "expected ConditionalCheckFailedException, got: $(cat "$WORK/err")"

count=$(ddb query --table-name Music --key-condition-expression 'Artist = :a AND begins_with(SongTitle, :p)' \
  --expression-attribute-values '{":a":{"S":"Acme Band"},":p":{"S":"Song 1"}}' --select COUNT --query Count)
expect_eq "$count" "10" "query count before restart"

stop_server
start_server "$WORK/data" "$PORT"

expect_eq "$(ddb list-tables --query 'TableNames[0]' --output text)" "Music" "table after restart"
plays=$(ddb get-item --table-name Music --key '{"Artist":{"S":"Acme Band"},"SongTitle":{"S":"Song 01"}}' \
  --query 'Item.Plays.N' --output text)
expect_eq "$plays" "101" "updated item after restart"
scanned=$(ddb scan --table-name Music --query Count)
expect_eq "$scanned" "20" "scan count after restart"
# The whole output is kept and cut here: piping into `head -1` let the CLI die of a broken pipe when
# head exited before the CLI had written its NextToken line (exit 255 under pipefail).
last=$(ddb query --table-name Music --key-condition-expression 'Artist = :a' \
  --expression-attribute-values '{":a":{"S":"Acme Band"}}' --no-scan-index-forward --max-items 1 \
  --query 'Items[0].SongTitle.S' --output text)
last=${last%%$'\n'*}
expect_eq "$last" "Song 20" "descending query after restart"

ddb update-table --table-name Music --deletion-protection-enabled >/dev/null
if ddb delete-table --table-name Music 2>"$WORK/err"; then fail "protected table was deleted"; fi
grep -q "Resource cannot be deleted as it is currently protected against deletion" "$WORK/err" \
  || fail "unexpected deletion-protection error: $(cat "$WORK/err")"

echo "cli-smoke: OK"
