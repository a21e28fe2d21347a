package dev.tidemark.api;

import dev.tidemark.api.actions.BatchGetItem;
import dev.tidemark.api.actions.BatchWriteItem;
import dev.tidemark.api.actions.CreateBackup;
import dev.tidemark.api.actions.CreateTable;
import dev.tidemark.api.actions.DeleteBackup;
import dev.tidemark.api.actions.DeleteItem;
import dev.tidemark.api.actions.DeleteTable;
import dev.tidemark.api.actions.DescribeBackup;
import dev.tidemark.api.actions.DescribeContinuousBackups;
import dev.tidemark.api.actions.DescribeEndpoints;
import dev.tidemark.api.actions.DescribeLimits;
import dev.tidemark.api.actions.DescribeStream;
import dev.tidemark.api.actions.DescribeTable;
import dev.tidemark.api.actions.DescribeTimeToLive;
import dev.tidemark.api.actions.GetItem;
import dev.tidemark.api.actions.GetRecords;
import dev.tidemark.api.actions.GetShardIterator;
import dev.tidemark.api.actions.ListBackups;
import dev.tidemark.api.actions.ListStreams;
import dev.tidemark.api.actions.ListTables;
import dev.tidemark.api.actions.ListTagsOfResource;
import dev.tidemark.api.actions.PutItem;
import dev.tidemark.api.actions.Query;
import dev.tidemark.api.actions.RestoreTableFromBackup;
import dev.tidemark.api.actions.RestoreTableToPointInTime;
import dev.tidemark.api.actions.Scan;
import dev.tidemark.api.actions.TagResource;
import dev.tidemark.api.actions.TransactGetItems;
import dev.tidemark.api.actions.TransactWriteItems;
import dev.tidemark.api.actions.UntagResource;
import dev.tidemark.api.actions.UpdateContinuousBackups;
import dev.tidemark.api.actions.UpdateItem;
import dev.tidemark.api.actions.UpdateTable;
import dev.tidemark.api.actions.UpdateTimeToLive;
import dev.tidemark.backup.BackupService;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.streams.ShardIterators;
import dev.tidemark.tables.Database;

/** Every operation Tidemark serves. Anything not registered here answers UnknownOperation. */
public final class DynamoApi {
  private DynamoApi() {}

  public static Operations operations(Database db, BackupService backups, PitrService pitr) {
    ShardIterators iterators = new ShardIterators(db.streams());
    return new Operations()
        .register(new UpdateContinuousBackups(db, pitr))
        .register(new DescribeContinuousBackups(db, pitr))
        .register(new RestoreTableToPointInTime(db, pitr))
        .register(new CreateBackup(db, backups))
        .register(new DescribeBackup(backups))
        .register(new ListBackups(db, backups))
        .register(new DeleteBackup(backups))
        .register(new RestoreTableFromBackup(db, backups))
        .register(new CreateTable(db))
        .register(new DescribeTable(db))
        .register(new ListTables(db))
        .register(new UpdateTable(db))
        .register(new DeleteTable(db, backups, pitr))
        .register(new PutItem(db))
        .register(new GetItem(db))
        .register(new UpdateItem(db))
        .register(new DeleteItem(db))
        .register(new Query(db))
        .register(new Scan(db))
        .register(new BatchGetItem(db))
        .register(new BatchWriteItem(db))
        .register(new TransactWriteItems(db))
        .register(new TransactGetItems(db))
        .register(new UpdateTimeToLive(db))
        .register(new DescribeTimeToLive(db))
        .register(new TagResource(db))
        .register(new UntagResource(db))
        .register(new ListTagsOfResource(db))
        .register(new DescribeLimits())
        .register(new dev.tidemark.api.actions.CreateGlobalTable())
        .register(new dev.tidemark.api.actions.UpdateGlobalTable())
        .register(new dev.tidemark.api.actions.DescribeGlobalTable())
        .register(new dev.tidemark.api.actions.ListGlobalTables())
        .register(new dev.tidemark.api.actions.DescribeGlobalTableSettings())
        .register(new dev.tidemark.api.actions.UpdateGlobalTableSettings())
        .register(new DescribeEndpoints())
        .register(new dev.tidemark.api.actions.PutResourcePolicy(db))
        .register(new dev.tidemark.api.actions.GetResourcePolicy(db))
        .register(new dev.tidemark.api.actions.DeleteResourcePolicy(db))
        // DynamoDB Streams, under their whole X-Amz-Target (DynamoDBStreams_20120810.*).
        .register(new ListStreams(db))
        .register(new DescribeStream(db))
        .register(new GetShardIterator(db, iterators))
        .register(new GetRecords(db, iterators));
  }
}
