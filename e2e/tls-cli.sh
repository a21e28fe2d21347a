#!/usr/bin/env bash
# HTTPS with the AWS CLI: certificates made by openssl (a CA, an RSA server key in PKCS#8 and an
# EC key in SEC1 form), `--endpoint-url https://... --ca-bundle CA` for DynamoDB, IAM and STS in
# IAM mode, the CLI refusing the server without the CA, and a mismatched key refused at start
# with a sentence that names the files.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "tls-cli: SKIPPED (openssl is not installed)"; exit 0; }
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
cd "$WORK"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=tls-cli test CA" -keyout ca.key -out ca.pem 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl req -new -key rsa.key -subj "/CN=localhost" -out rsa.csr
openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out rsa.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out ec.key
openssl req -new -key ec.key -subj "/CN=localhost" -out ec.csr
openssl x509 -req -in ec.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out ec.pem 2>/dev/null
grep -q 'BEGIN PRIVATE KEY' rsa.key || fail "expected a PKCS#8 RSA key from openssl genpkey"
grep -q 'BEGIN EC PRIVATE KEY' ec.key || fail "expected a SEC1 EC key from openssl ecparam"

# A key that is not the certificate's: refused at start, naming both files.
PORT=$(free_port)
if java -jar "$TIDEMARK_JAR" --port "$PORT" --data-dir "$WORK/bad" --backup-dir "$WORK/bad.backups" \
    --tls-cert rsa.pem --tls-key ec.key >bad.log 2>&1; then fail "a mismatched key was accepted"; fi
grep -q "the TLS key ec.key does not belong to the certificate rsa.pem" bad.log || { cat bad.log; fail "mismatch message"; }
[[ ! -e "$WORK/bad" ]] || fail "a refused start created the data directory"

export TLS_CA="$WORK/ca.pem"
PORT=$(free_port)
start_server "$WORK/data" "$PORT" --auth iam --account 123456789012 \
  --admin-credentials-file "$WORK/admin.credentials" --tls-cert rsa.pem --tls-key rsa.key
EP="https://127.0.0.1:$PORT"
admin() {
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE="$WORK/admin.credentials" \
    aws --profile tidemark-admin --output json "$@" --endpoint-url "$EP" --ca-bundle "$WORK/ca.pem"
}
admin dynamodb create-table --table-name Tls --billing-mode PAY_PER_REQUEST \
  --attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH >/dev/null
admin dynamodb put-item --table-name Tls --item '{"pk":{"S":"a"},"v":{"S":"over-tls"}}'
expect_eq "$(admin dynamodb get-item --table-name Tls --key '{"pk":{"S":"a"}}' --query Item.v.S --output text)" \
  "over-tls" "get-item over https"
expect_eq "$(admin sts get-caller-identity --query Arn --output text)" \
  "arn:aws:iam::123456789012:root" "sts over https"
admin iam create-user --user-name dave >/dev/null
expect_eq "$(admin iam list-users --query 'Users[].UserName' --output text)" "dave" "iam over https"
# Without the CA the CLI does not trust the server: the certificate is really checked.
if out=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE="$WORK/admin.credentials" \
    aws --profile tidemark-admin dynamodb list-tables --endpoint-url "$EP" 2>&1); then
  fail "the CLI accepted the test CA's certificate without --ca-bundle"
fi
[[ $out == *"SSL"* || $out == *"certificate"* ]] || fail "unexpected refusal without --ca-bundle: $out"
stop_server
SERVER_PID=

# The EC certificate with its SEC1 key serves as well (same data directory and credentials).
PORT=$(free_port)
start_server "$WORK/data" "$PORT" --auth iam --account 123456789012 \
  --admin-credentials-file "$WORK/admin.credentials" --tls-cert ec.pem --tls-key ec.key
EP="https://127.0.0.1:$PORT"
expect_eq "$(admin dynamodb get-item --table-name Tls --key '{"pk":{"S":"a"}}' --query Item.v.S --output text)" \
  "over-tls" "get-item over https with an EC key after restart"
echo "tls-cli: OK"
