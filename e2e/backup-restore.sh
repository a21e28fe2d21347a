#!/usr/bin/env bash
# The on-demand backup story from the DynamoDB documentation, through the AWS CLI: create a backup,
# delete rows by mistake, restore into a new table, check the rows are back, delete the backup.
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
PORT=$(free_port)
start_server "$WORK/data" "$PORT" --backup-dir "$WORK/backups"

ddb create-table --table-name MusicCollection \
  --attribute-definitions AttributeName=Artist,AttributeType=S AttributeName=SongTitle,AttributeType=S \
  --key-schema AttributeName=Artist,KeyType=HASH AttributeName=SongTitle,KeyType=RANGE \
  --billing-mode PAY_PER_REQUEST >/dev/null
for i in $(seq 1 30); do
  ddb put-item --table-name MusicCollection \
    --item "{\"Artist\":{\"S\":\"No One You Know\"},\"SongTitle\":{\"S\":\"Song $i\"},\"AlbumTitle\":{\"S\":\"Album $((i % 3))\"}}"
done

arn=$(ddb create-backup --table-name MusicCollection --backup-name MusicCollectionBackup \
  --query BackupDetails.BackupArn --output text)
[[ $arn =~ ^arn:aws:dynamodb:us-east-1:000000000000:table/MusicCollection/backup/[0-9]{14}-[0-9a-f]{8}$ ]] \
  || fail "unexpected backup ARN: $arn"
for _ in $(seq 1 100); do
  status=$(ddb describe-backup --backup-arn "$arn" --query BackupDescription.BackupDetails.BackupStatus --output text)
  [[ $status == AVAILABLE ]] && break
  sleep 0.1
done
expect_eq "$status" "AVAILABLE" "backup status"

# The mistake: ten rows deleted.
for i in $(seq 1 10); do
  ddb delete-item --table-name MusicCollection \
    --key "{\"Artist\":{\"S\":\"No One You Know\"},\"SongTitle\":{\"S\":\"Song $i\"}}"
done
expect_eq "$(ddb scan --table-name MusicCollection --select COUNT --query Count)" "20" "rows after the mistake"

ddb restore-table-from-backup --target-table-name MusicCollectionRestored --backup-arn "$arn" >/dev/null
ddb wait table-exists --table-name MusicCollectionRestored
expect_eq "$(ddb scan --table-name MusicCollectionRestored --select COUNT --query Count)" "30" "rows restored"
expect_eq "$(ddb describe-table --table-name MusicCollectionRestored --query Table.RestoreSummary.SourceBackupArn --output text)" \
  "$arn" "restore summary"
song=$(ddb get-item --table-name MusicCollectionRestored \
  --key '{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Song 3"}}' --query Item.AlbumTitle.S --output text)
expect_eq "$song" "Album 0" "a deleted row is back"

expect_eq "$(ddb list-backups --table-name MusicCollection --query 'length(BackupSummaries)')" "1" "listed backups"
expect_eq "$(ddb delete-backup --backup-arn "$arn" --query BackupDescription.BackupDetails.BackupStatus --output text)" \
  "DELETED" "delete-backup status"
expect_eq "$(ddb list-backups --table-name MusicCollection --query 'length(BackupSummaries)')" "0" "backups after delete"
echo "backup-restore: OK"
