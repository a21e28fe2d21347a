#!/usr/bin/env bash
# End-to-end through the AWS CLI with request compression on: botocore gzips request bodies of
# operations whose service model declares the requestcompression trait. DynamoDB's model does not
# (yet) declare it, so this script lays a copy of the model with the trait on every operation over
# botocore's (AWS_DATA_PATH), and sets request_min_compression_size_bytes, as a user would to turn
# the feature on. Large PutItem, BatchWriteItem and TransactWriteItems bodies must then be stored.
# Usage: e2e/cli-compression.sh   (needs target/tidemark.jar; `./tidemark --help` builds it)
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
start_server "$WORK/data" "$PORT"

ddb create-table --table-name Zipped \
  --attribute-definitions AttributeName=pk,AttributeType=S \
  --key-schema AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null

python3 - "$WORK/models" <<'PY'
import gzip, json, os, sys
import botocore
data = os.path.join(os.path.dirname(botocore.__file__), "data", "dynamodb", "2012-08-10")
path = os.path.join(data, "service-2.json")
model = json.load(gzip.open(path + ".gz") if os.path.exists(path + ".gz") else open(path))
for operation in model["operations"].values():
    operation["requestcompression"] = {"encodings": ["gzip"]}
out = os.path.join(sys.argv[1], "dynamodb", "2012-08-10")
os.makedirs(out)
json.dump(model, open(os.path.join(out, "service-2.json"), "w"))
PY
printf '[default]\nrequest_min_compression_size_bytes = 10240\n' >"$WORK/config"

# zddb: the AWS CLI with compression on; --debug shows the headers it sent.
zddb() {
  AWS_DATA_PATH="$WORK/models" AWS_CONFIG_FILE="$WORK/config" ddb --debug "$@" 2>>"$WORK/debug.log"
}

big=$(python3 -c 'print("z" * 20000)')
printf '{"pk":{"S":"put"},"v":{"S":"%s"}}' "$big" >"$WORK/item.json"
zddb put-item --table-name Zipped --item "file://$WORK/item.json" >/dev/null
python3 - "$big" >"$WORK/batch.json" <<'PY'
import json, sys
print(json.dumps({"Zipped": [{"PutRequest": {"Item": {"pk": {"S": "batch%d" % i}, "v": {"S": sys.argv[1]}}}} for i in range(3)]}))
PY
zddb batch-write-item --request-items "file://$WORK/batch.json" >/dev/null
python3 - "$big" >"$WORK/tx.json" <<'PY'
import json, sys
print(json.dumps([{"Put": {"TableName": "Zipped", "Item": {"pk": {"S": "tx%d" % i}, "v": {"S": sys.argv[1]}}}} for i in range(2)]))
PY
zddb transact-write-items --transact-items "file://$WORK/tx.json" >/dev/null

sent=$(grep -c "'Content-Encoding': b'gzip'" "$WORK/debug.log" || true)
expect_eq "$sent" "3" "gzip-compressed requests sent by the CLI"

for key in put batch0 batch2 tx1; do
  len=$(ddb get-item --table-name Zipped --key "{\"pk\":{\"S\":\"$key\"}}" --query 'length(Item.v.S)')
  expect_eq "$len" "20000" "stored length of $key"
done

echo "cli-compression: OK"
