#!/usr/bin/env bash
# End-to-end through the AWS CLI: the global tables console story between two regions (two
# Tidemark servers): add a replica, write in one region and read in the other, both ways, see the
# replica in DescribeTable and in `tidemark replicas status`, pause and resume replication (the
# failover drill), give the replica its own table class, then delete the replica.
# Usage: e2e/global-tables.sh   (needs target/tidemark.jar; `./tidemark --help` builds it)
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
EAST=$(free_port)
WEST=$(free_port)
head -c 32 /dev/urandom | base64 >"$WORK/secret"
start_server "$WORK/east" "$EAST" --region us-east-1 --replication-secret-file "$WORK/secret" \
  --peer "eu-west-1=http://127.0.0.1:$WEST"
PIDS+=("$SERVER_PID")
start_server "$WORK/west" "$WEST" --region eu-west-1 --replication-secret-file "$WORK/secret" \
  --peer "us-east-1=http://127.0.0.1:$EAST"
PIDS+=("$SERVER_PID")
SERVER_PID=
east() { aws dynamodb --endpoint-url "http://127.0.0.1:$EAST" --region us-east-1 --output json "$@"; }
west() { aws dynamodb --endpoint-url "http://127.0.0.1:$WEST" --region eu-west-1 --output json "$@"; }

east create-table --table-name Music \
  --attribute-definitions AttributeName=Artist,AttributeType=S AttributeName=SongTitle,AttributeType=S \
  --key-schema AttributeName=Artist,KeyType=HASH AttributeName=SongTitle,KeyType=RANGE \
  --billing-mode PAY_PER_REQUEST >/dev/null
east put-item --table-name Music \
  --item '{"Artist":{"S":"item_1"},"SongTitle":{"S":"Song Value 1"}}'

# Step 1: add a replica in eu-west-1 (one Create per UpdateTable, as on AWS).
east update-table --table-name Music \
  --replica-updates '[{"Create":{"RegionName":"eu-west-1"}}]' >/dev/null
for _ in $(seq 1 100); do
  [[ "$(east describe-table --table-name Music --query 'Table.Replicas[0].ReplicaStatus' --output text)" == "ACTIVE" ]] && break
  sleep 0.1
done
expect_eq "$(east describe-table --table-name Music --query 'Table.Replicas[0].ReplicaStatus' --output text)" "ACTIVE" "replica status in us-east-1"
expect_eq "$(east describe-table --table-name Music --query 'Table.GlobalTableVersion' --output text)" "2019.11.21" "global table version"
expect_eq "$(west describe-table --table-name Music --query 'Table.Replicas[*].RegionName' --output text)" "us-east-1" "replicas listed in eu-west-1"
expect_eq "$(west describe-table --table-name Music --query 'Table.StreamSpecification.StreamViewType' --output text)" "NEW_AND_OLD_IMAGES" "replica stream"

# Step 2: the item written before the replica existed is in eu-west-1 (the fill).
expect_eq "$(west get-item --table-name Music --key '{"Artist":{"S":"item_1"},"SongTitle":{"S":"Song Value 1"}}' --query 'Item.SongTitle.S' --output text)" "Song Value 1" "filled item"

# Step 3: a write in eu-west-1 is read in us-east-1, and the other way round.
west put-item --table-name Music --item '{"Artist":{"S":"item_2"},"SongTitle":{"S":"Song Value 2"}}'
east put-item --table-name Music --item '{"Artist":{"S":"item_3"},"SongTitle":{"S":"Song Value 3"}}'
for _ in $(seq 1 100); do
  [[ "$(east scan --table-name Music --query Count)" == "3" && "$(west scan --table-name Music --query Count)" == "3" ]] && break
  sleep 0.1
done
expect_eq "$(east get-item --table-name Music --key '{"Artist":{"S":"item_2"},"SongTitle":{"S":"Song Value 2"}}' --query 'Item.Artist.S' --output text)" "item_2" "eu-west-1 write read in us-east-1"
expect_eq "$(west get-item --table-name Music --key '{"Artist":{"S":"item_3"},"SongTitle":{"S":"Song Value 3"}}' --query 'Item.Artist.S' --output text)" "item_3" "us-east-1 write read in eu-west-1"

# Operators: peers, replicas and lag per region pair.
status=$(tm replicas status --endpoint "http://127.0.0.1:$EAST" --endpoint "http://127.0.0.1:$WEST")
grep -q "peer eu-west-1 *reachable" <<<"$status" || fail "replicas status: $status"
grep -q "lag us-east-1 -> eu-west-1: p50" <<<"$status" || fail "replicas status lag: $status"

# The failover drill: pause replication us-east-1 -> eu-west-1; writes wait, resume delivers them.
tm replicas pause --region eu-west-1 --endpoint "http://127.0.0.1:$EAST" --replication-secret-file "$WORK/secret" | grep -q PAUSED || fail "pause"
east put-item --table-name Music --item '{"Artist":{"S":"item_4"},"SongTitle":{"S":"Song Value 4"}}'
sleep 1
expect_eq "$(west scan --table-name Music --query Count)" "3" "paused: the write waits in us-east-1"
grep -q "replication to it PAUSED" <<<"$(tm replicas status --endpoint "http://127.0.0.1:$EAST")" || fail "status shows no pause"
tm replicas resume --region eu-west-1 --endpoint "http://127.0.0.1:$EAST" --replication-secret-file "$WORK/secret" >/dev/null
for _ in $(seq 1 100); do
  [[ "$(west scan --table-name Music --query Count)" == "4" ]] && break
  sleep 0.1
done
expect_eq "$(west scan --table-name Music --query Count)" "4" "resumed: the write arrives"

# Streams stay on while replicas exist.
if out=$(east update-table --table-name Music --stream-specification StreamEnabled=false 2>&1); then
  fail "disabling the stream of a replicated table was accepted"
fi
grep -q "Disabling Stream is not allowed for a Global Table replica." <<<"$out" || fail "$out"

# A replica's own table class (TableClassOverride): only eu-west-1 changes; us-east-1 lists it.
east update-table --table-name Music \
  --replica-updates '[{"Update":{"RegionName":"eu-west-1","TableClassOverride":"STANDARD_INFREQUENT_ACCESS"}}]' >/dev/null
for _ in $(seq 1 100); do
  [[ "$(west describe-table --table-name Music --query 'Table.TableClassSummary.TableClass' --output text)" == "STANDARD_INFREQUENT_ACCESS" ]] && break
  sleep 0.1
done
expect_eq "$(west describe-table --table-name Music --query 'Table.TableClassSummary.TableClass' --output text)" "STANDARD_INFREQUENT_ACCESS" "eu-west-1's own class"
expect_eq "$(east describe-table --table-name Music --query 'Table.Replicas[0].ReplicaTableClassSummary.TableClass' --output text)" "STANDARD_INFREQUENT_ACCESS" "override listed in us-east-1"
expect_eq "$(east describe-table --table-name Music --query 'Table.TableClassSummary.TableClass' --output text)" "STANDARD" "us-east-1 keeps the group's class"

# Step 4: delete the replica; the table is gone from eu-west-1 and us-east-1 is regional again.
east update-table --table-name Music \
  --replica-updates '[{"Delete":{"RegionName":"eu-west-1"}}]' >/dev/null
if out=$(west describe-table --table-name Music 2>&1); then fail "replica still there: $out"; fi
grep -q ResourceNotFoundException <<<"$out" || fail "$out"
expect_eq "$(east describe-table --table-name Music --query 'Table.Replicas' --output text)" "None" "no replicas left"
expect_eq "$(east scan --table-name Music --query Count)" "4" "items kept in us-east-1"
echo "global-tables: OK"
