#!/usr/bin/env bash
# End-to-end through the AWS CLI: TTL expiry, DynamoDB Streams and tags, across a restart.
# Usage: e2e/cli-streams-ttl.sh   (needs target/tidemark.jar; `./tidemark --help` builds it)
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
start_server "$WORK/data" "$PORT" --ttl-sweep-interval 200ms --backup-dir "$WORK/backups"

streams() {
  aws dynamodbstreams --endpoint-url "http://127.0.0.1:$PORT" --output json "$@"
}

ddb create-table --table-name Sessions \
  --attribute-definitions AttributeName=Id,AttributeType=S \
  --key-schema AttributeName=Id,KeyType=HASH --billing-mode PAY_PER_REQUEST \
  --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES \
  --tags Key=team,Value=core >/dev/null
now=$(date +%s)
ddb put-item --table-name Sessions --item "{\"Id\":{\"S\":\"old\"},\"ExpiresAt\":{\"N\":\"$((now - 60))\"}}"
ddb put-item --table-name Sessions --item "{\"Id\":{\"S\":\"new\"},\"ExpiresAt\":{\"N\":\"$((now + 3600))\"}}"
# Enabled after both writes, so the stream order below is fixed: two inserts, then the expiry.
ddb update-time-to-live --table-name Sessions \
  --time-to-live-specification Enabled=true,AttributeName=ExpiresAt >/dev/null

# The sweeper runs every 200 ms; give it up to 10 s.
for _ in $(seq 1 100); do
  [[ "$(ddb scan --table-name Sessions --query Count)" == "1" ]] && break
  sleep 0.1
done
expect_eq "$(ddb scan --table-name Sessions --query 'Items[0].Id.S' --output text)" "new" "item left after TTL"

arn=$(ddb describe-table --table-name Sessions --query Table.LatestStreamArn --output text)
shard=$(streams describe-stream --stream-arn "$arn" --query 'StreamDescription.Shards[0].ShardId' --output text)
iterator=$(streams get-shard-iterator --stream-arn "$arn" --shard-id "$shard" \
  --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)

stop_server
start_server "$WORK/data" "$PORT" --ttl-sweep-interval 200ms --backup-dir "$WORK/backups"

expect_eq "$(ddb describe-time-to-live --table-name Sessions --query TimeToLiveDescription.TimeToLiveStatus --output text)" \
  "ENABLED" "TTL after restart"
expect_eq "$(ddb list-tags-of-resource --resource-arn "${arn%/stream/*}" --query 'Tags[0].Value' --output text)" \
  "core" "tag after restart"
expect_eq "$(streams list-streams --table-name Sessions --query 'Streams[0].StreamArn' --output text)" \
  "$arn" "stream after restart"
# An iterator handed out before the restart still reads, in commit order, the TTL deletion last.
events=$(streams get-records --shard-iterator "$iterator" \
  --query 'Records[].[eventName, dynamodb.Keys.Id.S, userIdentity.PrincipalId]' --output text | tr '\t\n' ' ')
expect_eq "$events" "INSERT old None INSERT new None REMOVE old dynamodb.amazonaws.com " "stream records"

ddb update-table --table-name Sessions --stream-specification StreamEnabled=false >/dev/null
expect_eq "$(streams describe-stream --stream-arn "$arn" --query StreamDescription.StreamStatus --output text)" \
  "DISABLED" "stream status after disabling"

echo "cli-streams-ttl: OK"
