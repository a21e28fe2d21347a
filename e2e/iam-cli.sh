#!/usr/bin/env bash
# IAM mode with the AWS CLI: the administrator's credentials file works at once with
# --profile tidemark-admin; `aws iam` creates a user, a key and an inline policy; `aws sts`
# names the caller; the policy decides what the user may do on DynamoDB; a group's policy applies
# to its members; `aws sts assume-role` gives temporary credentials that act as the role (and
# need their session token); a table's resource-based policy grants what no identity policy does;
# a deactivated key is refused at once.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
start_server "$WORK/data" "$PORT" --auth iam --account 123456789012 \
  --admin-credentials-file "$WORK/admin.credentials"
EP="http://127.0.0.1:$PORT"

admin() {
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE="$WORK/admin.credentials" \
    aws --profile tidemark-admin --output json "$@" --endpoint-url "$EP"
}
as_user() {
  AWS_ACCESS_KEY_ID=$KEY_ID AWS_SECRET_ACCESS_KEY=$KEY_SECRET aws --output json "$@" --endpoint-url "$EP"
}

[[ $(stat -c %a "$WORK/admin.credentials") == 600 ]] || fail "credentials file is not owner-only"
admin dynamodb create-table --table-name WebSeries --billing-mode PAY_PER_REQUEST \
  --attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH >/dev/null
admin iam create-user --user-name alice >/dev/null
POLICY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:PutItem","dynamodb:GetItem"],"Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/WebSeries"}]}'
admin iam put-user-policy --user-name alice --policy-name items --policy-document "$POLICY"
expect_eq "$(admin iam get-user-policy --user-name alice --policy-name items --query PolicyDocument.Statement[0].Effect --output text)" \
  "Allow" "get-user-policy returns the document"
expect_eq "$(admin iam list-users --query 'Users[].UserName' --output text)" "alice" "list-users"
KEY=$(admin iam create-access-key --user-name alice)
KEY_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["AccessKeyId"])' <<<"$KEY")
KEY_SECRET=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])' <<<"$KEY")

expect_eq "$(as_user sts get-caller-identity --query Arn --output text)" \
  "arn:aws:iam::123456789012:user/alice" "sts get-caller-identity"
as_user dynamodb put-item --table-name WebSeries --item '{"pk":{"S":"s1"}}'
expect_eq "$(as_user dynamodb get-item --table-name WebSeries --key '{"pk":{"S":"s1"}}' --query Item.pk.S --output text)" \
  "s1" "the policy allows GetItem"
if out=$(as_user dynamodb delete-table --table-name WebSeries 2>&1); then fail "DeleteTable was allowed"; fi
[[ $out == *"AccessDeniedException"*"is not authorized to perform: dynamodb:DeleteTable"* ]] || fail "DeleteTable: $out"
if out=$(as_user iam list-users 2>&1); then fail "ListUsers was allowed"; fi
[[ $out == *"AccessDenied"* ]] || fail "ListUsers: $out"

# A group's policy is its members' policy.
admin iam create-group --group-name scanners >/dev/null
admin iam put-group-policy --group-name scanners --policy-name scan --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Scan","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/WebSeries"}]}'
if out=$(as_user dynamodb scan --table-name WebSeries 2>&1); then fail "Scan allowed before joining the group"; fi
admin iam add-user-to-group --group-name scanners --user-name alice
expect_eq "$(as_user dynamodb scan --table-name WebSeries --query Count --output text)" "1" "a group policy allows Scan"
expect_eq "$(admin iam list-groups-for-user --user-name alice --query 'Groups[].GroupName' --output text)" "scanners" "list-groups-for-user"

# A role alice may assume (its trust policy names her), whose session may only read.
admin iam create-role --role-name reader --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]}' >/dev/null
admin iam put-role-policy --role-name reader --policy-name get --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}'
CREDS=$(as_user sts assume-role --role-arn arn:aws:iam::123456789012:role/reader --role-session-name cli --duration-seconds 900)
read -r R_ID R_SECRET R_TOKEN < <(python3 -c 'import json,sys; c=json.load(sys.stdin)["Credentials"]; print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])' <<<"$CREDS")
[[ $R_ID == ASIA* ]] || fail "assume-role: $CREDS"
as_role() {
  AWS_ACCESS_KEY_ID=$R_ID AWS_SECRET_ACCESS_KEY=$R_SECRET AWS_SESSION_TOKEN=$R_TOKEN aws --output json "$@" --endpoint-url "$EP"
}
expect_eq "$(as_role sts get-caller-identity --query Arn --output text)" \
  "arn:aws:sts::123456789012:assumed-role/reader/cli" "the role session's identity"
expect_eq "$(as_role dynamodb get-item --table-name WebSeries --key '{"pk":{"S":"s1"}}' --query Item.pk.S --output text)" \
  "s1" "the role's policy allows GetItem"
if out=$(as_role dynamodb put-item --table-name WebSeries --item '{"pk":{"S":"s2"}}' 2>&1); then fail "the role wrote"; fi
[[ $out == *"assumed-role/reader/cli is not authorized to perform: dynamodb:PutItem"* ]] || fail "role PutItem: $out"
if out=$(AWS_ACCESS_KEY_ID=$R_ID AWS_SECRET_ACCESS_KEY=$R_SECRET aws dynamodb list-tables --endpoint-url "$EP" 2>&1); then
  fail "temporary credentials without their session token were accepted"
fi
[[ $out == *"UnrecognizedClientException"* ]] || fail "no session token: $out"

# A table's resource-based policy lets alice read a table no identity policy of hers names; the
# RevisionId conditions its removal.
admin dynamodb create-table --table-name Shared --billing-mode PAY_PER_REQUEST \
  --attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH >/dev/null
admin dynamodb put-item --table-name Shared --item '{"pk":{"S":"s1"}}'
SHARED=arn:aws:dynamodb:us-east-1:123456789012:table/Shared
if out=$(as_user dynamodb get-item --table-name Shared --key '{"pk":{"S":"s1"}}' 2>&1); then fail "read Shared without a policy"; fi
REV=$(admin dynamodb put-resource-policy --resource-arn "$SHARED" --query RevisionId --output text --policy \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/Shared"}]}')
expect_eq "$(admin dynamodb get-resource-policy --resource-arn "$SHARED" --query RevisionId --output text)" "$REV" "get-resource-policy"
expect_eq "$(as_user dynamodb get-item --table-name Shared --key '{"pk":{"S":"s1"}}' --query Item.pk.S --output text)" \
  "s1" "the table's resource-based policy allows GetItem"
if out=$(admin dynamodb delete-resource-policy --resource-arn "$SHARED" --expected-revision-id 1 2>&1); then fail "stale revision deleted"; fi
[[ $out == *"PolicyNotFoundException"* ]] || fail "stale revision: $out"
admin dynamodb delete-resource-policy --resource-arn "$SHARED" --expected-revision-id "$REV" >/dev/null
if out=$(as_user dynamodb get-item --table-name Shared --key '{"pk":{"S":"s1"}}' 2>&1); then fail "read Shared after the policy went"; fi

admin iam update-access-key --user-name alice --access-key-id "$KEY_ID" --status Inactive
if out=$(as_user dynamodb get-item --table-name WebSeries --key '{"pk":{"S":"s1"}}' 2>&1); then fail "inactive key accepted"; fi
[[ $out == *"UnrecognizedClientException"* ]] || fail "inactive key: $out"
admin iam delete-access-key --user-name alice --access-key-id "$KEY_ID"
admin iam delete-user-policy --user-name alice --policy-name items
admin iam remove-user-from-group --group-name scanners --user-name alice
admin iam delete-user --user-name alice
echo "iam-cli: OK"
