package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Crash consistency under SIGKILL in sync mode. Concurrent clients run puts, conditional updates
 * and TransactWriteItems (transfers between accounts that keep a constant sum, each with a ledger
 * entry, and three-item version markers) against the server process, which is killed at a random
 * moment, often with an on-demand backup, a restore and the PITR archiver in flight. After every
 * restart:
 *
 * <ul>
 *   <li>every acknowledged write is present, and each writer's own items hold the acknowledged
 *       value or the one in flight (I2);
 *   <li>no unacknowledged transaction is partly visible: the sum of balances holds, every balance
 *       equals its opening balance plus its ledger entries, marker groups agree;
 *   <li>the table's stream, replayed from its start, gives exactly the items;
 *   <li>the global index agrees with the items (a Scan of the index equals the items carrying its
 *       key), and the table's and index's counts agree with both;
 *   <li>the backup in flight is absent or AVAILABLE, and then restores to a complete, consistent
 *       table holding every write acknowledged before it was requested;
 *   <li>the restore in flight left no table or an ACTIVE, complete and consistent one (I4);
 *   <li>PITR's latest restorable time advances past the restart, and a restore to it equals the
 *       table item for item (I5 after a crash).
 * </ul>
 *
 * <p>{@code -Dcrash.cycles} (default 3) and {@code -Dcrash.seed} choose the run; {@code
 * scripts/crash-long.sh} runs 20 or more cycles.
 */
class CrashConsistencyIT {
  private static final String TABLE = "bank";
  private static final String INDEX = "byGroup";
  private static final int WRITERS = 8;
  private static final int SEED_ITEMS = 3000;

  private long seed;
  private int cycle;
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private final ConcurrentLinkedQueue<String> writerErrors = new ConcurrentLinkedQueue<>();

  // Protects I2 and I4 across kill -9: acknowledged writes, whole transactions, index agreement,
  // and backups, restores and PITR that complete or vanish cleanly.
  @Test
  void everyCrashLeavesAConsistentDatabase(@TempDir Path dir) throws Exception {
    seed = Long.getLong("crash.seed", System.nanoTime());
    int cycles = Integer.getInteger("crash.cycles", 3);
    System.out.println("CrashConsistencyIT seed=" + seed + " cycles=" + cycles);
    Random random = new Random(seed);
    Path data = dir.resolve("data");
    String[] flags = {"--backup-dir", dir.resolve("backups").toString(), "--durability", "sync"};
    int port = ServerProcess.freePort();
    CrashModel model = new CrashModel(WRITERS);
    String goodBackup;
    try (ServerProcess first = ServerProcess.start(data, port, flags);
        DynamoDbClient c = first.client()) {
      setUp(c);
      goodBackup = createAndWait(c, "initial");
    }
    long checkedWrites = 0;
    String backupInFlight = null;
    String restoreInFlight = null;
    long[] backupWatermark = null;
    for (cycle = 0; cycle <= cycles; cycle++) {
      ServerProcess server = ServerProcess.start(data, port, flags);
      Instant restarted = Instant.now();
      try (DynamoDbClient c = server.client()) {
        checkedWrites +=
            verifyAfterRestart(c, port, model, backupInFlight, restoreInFlight, restarted);
        if (backupInFlight != null && isAvailable(c, backupInFlight)) {
          checkedWrites += checkBackup(c, backupInFlight, model, backupWatermark);
          goodBackup = backupInFlight;
        }
        if (cycle == cycles) {
          server.close();
          break;
        }
        long killAt = 500 + random.nextInt(2000);
        long backupAt = random.nextInt((int) killAt);
        long restoreAt = random.nextInt((int) killAt);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          long writerSeed = random.nextLong();
          futures.add(pool.submit(() -> work(c, model, writer, new Random(writerSeed), stop)));
        }
        long start = System.nanoTime();
        String restoreSource = goodBackup;
        String[] inFlight = new String[2];
        long[][] watermark = new long[1][];
        Future<?> control =
            pool.submit(
                () -> {
                  boolean backupFirst = backupAt <= restoreAt;
                  for (int step = 0; step < 2; step++) {
                    boolean backup = (step == 0) == backupFirst;
                    sleepUntil(start, backup ? backupAt : restoreAt);
                    try {
                      if (backup) {
                        watermark[0] = model.watermark();
                        inFlight[0] =
                            c.createBackup(r -> r.tableName(TABLE).backupName("crash-" + cycle))
                                .backupDetails()
                                .backupArn();
                      } else {
                        inFlight[1] = "rs-" + cycle;
                        c.restoreTableFromBackup(
                            r -> r.backupArn(restoreSource).targetTableName("rs-" + cycle));
                      }
                    } catch (SdkClientException e) {
                      // The kill came first; a refusal by the server fails the test instead. A
                      // restore cut this way is still checked by its target's name.
                      synchronized (outcomes) {
                        outcomes.merge(
                            (backup ? "backup" : "restore") + " request cut by the kill",
                            1,
                            Integer::sum);
                      }
                      return null;
                    }
                  }
                  return null;
                });
        sleepUntil(start, killAt);
        server.kill();
        stop.set(true);
        for (Future<?> f : futures) {
          f.get();
        }
        control.get();
        pool.shutdown();
        backupInFlight = inFlight[0];
        restoreInFlight = inFlight[1];
        backupWatermark = watermark[0];
        System.out.printf(
            "CrashConsistencyIT cycle %d: killed at %d ms (backup at %d, restore at %d); acked"
                + " puts %d, transfers %d%n",
            cycle, killAt, backupAt, restoreAt, model.putCount(), model.transferCount());
        assertThat(writerErrors).as("seed %d cycle %d: writer errors", seed, cycle).isEmpty();
      }
    }
    System.out.println(
        "CrashConsistencyIT survived "
            + cycles
            + " kills; "
            + checkedWrites
            + " acknowledged-write checks; outcomes "
            + outcomes);
    assertThat(model.putCount()).as("the load produced acknowledged writes").isPositive();
    assertThat(model.transferCount()).as("the load produced transfers").isPositive();
  }

  private static void sleepUntil(long startNanos, long offsetMillis) {
    long wait = offsetMillis - (System.nanoTime() - startNanos) / 1_000_000;
    if (wait > 0) {
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- setup ------------------------------------------------------------------------------

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }

  private static Map<String, AttributeValue> key(String pk) {
    return Map.of("pk", s(pk));
  }

  private void setUp(DynamoDbClient c) {
    c.createTable(
        r ->
            r.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .streamSpecification(
                    st -> st.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build(),
                    AttributeDefinition.builder()
                        .attributeName("grp")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName(INDEX)
                        .keySchema(
                            KeySchemaElement.builder()
                                .attributeName("grp")
                                .keyType(KeyType.HASH)
                                .build(),
                            KeySchemaElement.builder()
                                .attributeName("pk")
                                .keyType(KeyType.RANGE)
                                .build())
                        .projection(p -> p.projectionType(ProjectionType.ALL))
                        .build()));
    for (int a = 0; a < CrashModel.ACCOUNTS; a++) {
      int acct = a;
      c.putItem(
          r ->
              r.tableName(TABLE)
                  .item(
                      Map.of(
                          "pk",
                          s("acct-" + acct),
                          "bal",
                          n(CrashModel.OPENING_BALANCE),
                          "grp",
                          s("g" + acct % 4))));
    }
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      c.putItem(
          r ->
              r.tableName(TABLE)
                  .item(Map.of("pk", s("cas-" + writer), "v", n(0), "grp", s("cas"))));
    }
    // Bulk, so that a backup or restore of the table takes long enough to be cut by the kill.
    String blob = "s".repeat(2000);
    List<WriteRequest> batch = new ArrayList<>();
    for (int i = 0; i < SEED_ITEMS; i++) {
      String pk = String.format("seed-%05d", i);
      batch.add(
          WriteRequest.builder()
              .putRequest(p -> p.item(Map.of("pk", s(pk), "blob", s(blob))))
              .build());
      if (batch.size() == 25) {
        List<WriteRequest> send = List.copyOf(batch);
        c.batchWriteItem(r -> r.requestItems(Map.of(TABLE, send)));
        batch.clear();
      }
    }
    c.updateContinuousBackups(
        r ->
            r.tableName(TABLE)
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
  }

  // ---- workload ---------------------------------------------------------------------------

  private Void work(DynamoDbClient c, CrashModel model, int w, Random r, AtomicBoolean stop) {
    CrashModel.Writer me = model.writers[w];
    while (!stop.get()) {
      int op = r.nextInt(10);
      try {
        if (op < 4) {
          String k = "put-" + w + "-" + cycle + "-" + me.nextPut++;
          String v = Long.toHexString(r.nextLong()) + "x".repeat(r.nextInt(600));
          me.putInFlight = new String[] {k, v};
          c.putItem(
              p ->
                  p.tableName(TABLE)
                      .item(Map.of("pk", s(k), "v", s(v), "grp", s("p" + (k.hashCode() & 3)))));
          model.putAcked(k, v);
          me.putInFlight = null;
        } else if (op < 6) {
          long cur = me.casAcked;
          me.casInFlight = cur + 1;
          c.updateItem(
              u ->
                  u.tableName(TABLE)
                      .key(key("cas-" + w))
                      .updateExpression("SET v = :next")
                      .conditionExpression("v = :cur")
                      .expressionAttributeValues(Map.of(":cur", n(cur), ":next", n(cur + 1))));
          me.casAcked = cur + 1;
          me.casInFlight = null;
        } else if (op < 9) {
          transfer(c, model, me, w, r);
        } else {
          long stamp = me.stampAcked + 1;
          me.stampInFlight = stamp;
          List<TransactWriteItem> items = new ArrayList<>();
          for (int j = 0; j < 3; j++) {
            items.add(
                TransactWriteItem.builder()
                    .put(
                        Put.builder()
                            .tableName(TABLE)
                            .item(
                                Map.of(
                                    "pk",
                                    s("mk-" + w + "-" + j),
                                    "stamp",
                                    n(stamp),
                                    "grp",
                                    s("mk")))
                            .build())
                    .build());
          }
          c.transactWriteItems(t -> t.transactItems(items));
          me.stampAcked = stamp;
          me.stampInFlight = null;
        }
      } catch (TransactionCanceledException e) {
        // Cancelled (insufficient balance): definitely not applied.
        me.transferInFlight = null;
      } catch (ConditionalCheckFailedException e) {
        writerErrors.add("writer " + w + ": compare-and-set refused; the model is wrong: " + e);
        return null;
      } catch (SdkClientException e) {
        return null; // the server died: whatever was in flight stays unknown
      } catch (SdkException e) {
        writerErrors.add("writer " + w + ": the server refused a valid request: " + e);
        return null;
      }
    }
    return null;
  }

  private void transfer(DynamoDbClient c, CrashModel model, CrashModel.Writer me, int w, Random r) {
    int from = r.nextInt(CrashModel.ACCOUNTS);
    int to = (from + 1 + r.nextInt(CrashModel.ACCOUNTS - 1)) % CrashModel.ACCOUNTS;
    long amount = 1 + r.nextInt(300);
    String id = "tx-" + w + "-" + cycle + "-" + me.nextTransfer++;
    me.transferInFlight = id;
    List<TransactWriteItem> items =
        List.of(
            TransactWriteItem.builder()
                .update(
                    Update.builder()
                        .tableName(TABLE)
                        .key(key("acct-" + from))
                        .updateExpression("SET bal = bal - :a, grp = :g")
                        .conditionExpression("bal >= :a")
                        .expressionAttributeValues(
                            Map.of(":a", n(amount), ":g", s("g" + r.nextInt(4))))
                        .build())
                .build(),
            TransactWriteItem.builder()
                .update(
                    Update.builder()
                        .tableName(TABLE)
                        .key(key("acct-" + to))
                        .updateExpression("SET bal = bal + :a, grp = :g")
                        .expressionAttributeValues(
                            Map.of(":a", n(amount), ":g", s("g" + r.nextInt(4))))
                        .build())
                .build(),
            TransactWriteItem.builder()
                .put(
                    Put.builder()
                        .tableName(TABLE)
                        .item(
                            Map.of(
                                "pk",
                                s(id),
                                "from",
                                n(from),
                                "to",
                                n(to),
                                "amt",
                                n(amount),
                                "grp",
                                s("ledger")))
                        .build())
                .build());
    c.transactWriteItems(t -> t.transactItems(items));
    model.transferAcked(id);
    me.transferInFlight = null;
  }

  // ---- checks -----------------------------------------------------------------------------

  /** Every item of a table or of its index, keyed by pk, attribute values as strings. */
  private static Map<String, Map<String, String>> scan(
      DynamoDbClient c, String table, String index) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (var page :
        c.scanPaginator(r -> r.tableName(table).indexName(index).consistentRead(index == null))) {
      for (Map<String, AttributeValue> item : page.items()) {
        Map<String, String> flat = new TreeMap<>();
        item.forEach((k, v) -> flat.put(k, v.s() != null ? v.s() : v.n()));
        out.put(item.get("pk").s(), flat);
      }
    }
    return out;
  }

  /**
   * Checks the live table after a restart, the backup and restore that were in flight, and PITR.
   * Returns how many acknowledged writes were checked.
   */
  private long verifyAfterRestart(
      DynamoDbClient c,
      int port,
      CrashModel model,
      String backupInFlight,
      String restoreInFlight,
      Instant restarted)
      throws InterruptedException {
    String where = "seed " + seed + ", restart before cycle " + cycle;
    Map<String, Map<String, String>> live = scan(c, TABLE, null);
    long checked = checkConsistent(c, TABLE, live, where);
    for (String[] put : model.puts(model.putCount())) {
      assertThat(live.get(put[0]))
          .as("%s: acknowledged put %s", where, put[0])
          .isNotNull()
          .containsEntry("v", put[1]);
      checked++;
    }
    for (String tx : model.transfers(model.transferCount())) {
      assertThat(live).as("%s: acknowledged transfer %s", where, tx).containsKey(tx);
      checked++;
    }
    for (int w = 0; w < WRITERS; w++) {
      CrashModel.Writer me = model.writers[w];
      long cas = Long.parseLong(live.get("cas-" + w).get("v"));
      assertThat(
              me.casInFlight == null
                  ? cas == me.casAcked
                  : cas == me.casAcked || cas == me.casInFlight)
          .as(
              "%s: writer %d compare-and-set value %d (acked %d, in flight %s)",
              where, w, cas, me.casAcked, me.casInFlight)
          .isTrue();
      Map<String, String> mk = live.get("mk-" + w + "-0");
      long stamp = mk == null ? 0 : Long.parseLong(mk.get("stamp"));
      assertThat(
              me.stampInFlight == null
                  ? stamp == me.stampAcked
                  : stamp == me.stampAcked || stamp == me.stampInFlight)
          .as("%s: writer %d marker stamp %d (acked %d)", where, w, stamp, me.stampAcked)
          .isTrue();
      checked += 2;
    }
    model.settle(live);
    assertThat(replayStream(c, port))
        .as("%s: the stream replayed from its start equals the table", where)
        .isEqualTo(live);

    c.listBackups(r -> r.tableName(TABLE))
        .backupSummaries()
        .forEach(
            b ->
                assertThat(b.backupStatus())
                    .as("%s: listed backup %s", where, b.backupArn())
                    .isEqualTo(BackupStatus.AVAILABLE));
    if (backupInFlight != null) {
      String arn = backupInFlight;
      String outcome;
      try {
        BackupStatus st =
            c.describeBackup(r -> r.backupArn(arn))
                .backupDescription()
                .backupDetails()
                .backupStatus();
        assertThat(st)
            .as("%s: interrupted backup's status", where)
            .isEqualTo(BackupStatus.AVAILABLE);
        outcome = "backup completed";
      } catch (BackupNotFoundException gone) {
        boolean listed =
            c.listBackups(r -> r.tableName(TABLE)).backupSummaries().stream()
                .anyMatch(b -> b.backupArn().equals(arn));
        assertThat(listed).as("%s: a discarded backup is not listed", where).isFalse();
        outcome = "backup discarded";
      }
      outcomes.merge(outcome, 1, Integer::sum);
    }
    if (restoreInFlight != null) {
      boolean exists = c.listTables().tableNames().contains(restoreInFlight);
      if (exists) {
        TableDescription d = c.describeTable(r -> r.tableName(restoreInFlight)).table();
        assertThat(d.tableStatus())
            .as("%s: surviving restore", where)
            .isEqualTo(TableStatus.ACTIVE);
        Map<String, Map<String, String>> restored = scan(c, restoreInFlight, null);
        checkConsistent(c, restoreInFlight, restored, where + ", restore that survived");
        outcomes.merge("restore completed", 1, Integer::sum);
        c.deleteTable(r -> r.tableName(restoreInFlight));
      } else {
        outcomes.merge("restore left no table", 1, Integer::sum);
      }
    }

    // PITR: the archive catches up past the restart, and a restore to it is the table itself.
    awaitRestorable(c, restarted, where);
    String target = "pitr-" + cycle;
    c.restoreTableToPointInTime(
        r -> r.sourceTableName(TABLE).targetTableName(target).useLatestRestorableTime(true));
    awaitActive(c, target, where);
    Map<String, Map<String, String>> restored = scan(c, target, null);
    checkConsistent(c, target, restored, where + ", PITR restore");
    assertThat(restored).as("%s: PITR restore to latest equals the table", where).isEqualTo(live);
    checked += live.size();
    c.deleteTable(r -> r.tableName(target));
    outcomes.merge("PITR restore equal to table", 1, Integer::sum);
    return checked;
  }

  /** Folds the table's whole stream, shard by shard in order, into the items it describes. */
  private static Map<String, Map<String, String>> replayStream(DynamoDbClient c, int port) {
    String arn = c.describeTable(r -> r.tableName(TABLE)).table().latestStreamArn();
    Map<String, Map<String, String>> items = new TreeMap<>();
    try (DynamoDbStreamsClient streams =
        DynamoDbStreamsClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + port))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("crash", "crash")))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      List<String> shards = new ArrayList<>();
      String after = null;
      do {
        String start = after;
        var d =
            streams
                .describeStream(r -> r.streamArn(arn).exclusiveStartShardId(start))
                .streamDescription();
        d.shards().forEach(sh -> shards.add(sh.shardId()));
        after = d.lastEvaluatedShardId();
      } while (after != null);
      for (String shard : shards) {
        String iterator =
            streams
                .getShardIterator(
                    r ->
                        r.streamArn(arn)
                            .shardId(shard)
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                .shardIterator();
        while (iterator != null) {
          String it = iterator;
          var page = streams.getRecords(r -> r.shardIterator(it).limit(1000));
          for (var rec : page.records()) {
            String pk = rec.dynamodb().keys().get("pk").s();
            if (rec.eventNameAsString().equals("REMOVE")) {
              items.remove(pk);
            } else {
              Map<String, String> flat = new TreeMap<>();
              rec.dynamodb()
                  .newImage()
                  .forEach((k, v) -> flat.put(k, v.s() != null ? v.s() : v.n()));
              items.put(pk, flat);
            }
          }
          if (page.records().isEmpty()) {
            break;
          }
          iterator = page.nextShardIterator();
        }
      }
    }
    return items;
  }

  /** Transactions whole, balances explained by the ledger, markers agreeing, index agreeing. */
  private static long checkConsistent(
      DynamoDbClient c, String table, Map<String, Map<String, String>> items, String where) {
    long[] balances = new long[CrashModel.ACCOUNTS];
    long sum = 0;
    for (int a = 0; a < CrashModel.ACCOUNTS; a++) {
      balances[a] = CrashModel.OPENING_BALANCE;
      sum += Long.parseLong(items.get("acct-" + a).get("bal"));
    }
    assertThat(sum)
        .as("%s, %s: sum of balances", where, table)
        .isEqualTo(CrashModel.ACCOUNTS * CrashModel.OPENING_BALANCE);
    Map<String, Long> stamps = new HashMap<>();
    for (Map.Entry<String, Map<String, String>> e : items.entrySet()) {
      Map<String, String> item = e.getValue();
      if (e.getKey().startsWith("tx-")) {
        long amt = Long.parseLong(item.get("amt"));
        balances[Integer.parseInt(item.get("from"))] -= amt;
        balances[Integer.parseInt(item.get("to"))] += amt;
      } else if (e.getKey().startsWith("mk-")) {
        String group = e.getKey().substring(0, e.getKey().lastIndexOf('-'));
        long stamp = Long.parseLong(item.get("stamp"));
        Long other = stamps.putIfAbsent(group, stamp);
        assertThat(other == null || other == stamp)
            .as("%s, %s: marker group %s agrees (%s vs %d)", where, table, group, other, stamp)
            .isTrue();
      }
    }
    for (int a = 0; a < CrashModel.ACCOUNTS; a++) {
      assertThat(Long.parseLong(items.get("acct-" + a).get("bal")))
          .as("%s, %s: balance of acct-%d equals opening balance plus its ledger", where, table, a)
          .isEqualTo(balances[a]);
    }
    for (String group : stamps.keySet()) {
      for (int j = 0; j < 3; j++) {
        assertThat(items)
            .as("%s, %s: marker group %s complete", where, table, group)
            .containsKey(group + "-" + j);
      }
    }
    Map<String, Map<String, String>> expectedIndex = new TreeMap<>();
    items.forEach(
        (k, v) -> {
          if (v.containsKey("grp")) {
            expectedIndex.put(k, v);
          }
        });
    Map<String, Map<String, String>> index = scan(c, table, INDEX);
    assertThat(index)
        .as("%s, %s: the index equals the items carrying its key", where, table)
        .isEqualTo(expectedIndex);
    // One partition by Query as well: the index's key order and ranges, not only its scan.
    int viaQuery =
        c.query(
                r ->
                    r.tableName(table)
                        .indexName(INDEX)
                        .keyConditionExpression("grp = :g")
                        .expressionAttributeValues(Map.of(":g", s("cas"))))
            .count();
    assertThat(viaQuery).as("%s, %s: Query of the cas partition", where, table).isEqualTo(WRITERS);
    TableDescription d = c.describeTable(r -> r.tableName(table)).table();
    assertThat(d.itemCount()).as("%s, %s: ItemCount", where, table).isEqualTo(items.size());
    assertThat(d.globalSecondaryIndexes().get(0).itemCount())
        .as("%s, %s: index ItemCount", where, table)
        .isEqualTo(expectedIndex.size());
    return CrashModel.ACCOUNTS;
  }

  private long checkBackup(DynamoDbClient c, String arn, CrashModel model, long[] watermark)
      throws InterruptedException {
    String where = "seed " + seed + ", backup in flight at the kill before cycle " + cycle;
    String target = "bk-" + cycle;
    c.restoreTableFromBackup(r -> r.backupArn(arn).targetTableName(target));
    awaitActive(c, target, where);
    Map<String, Map<String, String>> restored = scan(c, target, null);
    long checked = checkConsistent(c, target, restored, where);
    for (String[] put : model.puts(watermark[0])) {
      assertThat(restored.get(put[0]))
          .as("%s: put %s acknowledged before the backup", where, put[0])
          .isNotNull()
          .containsEntry("v", put[1]);
      checked++;
    }
    for (String tx : model.transfers(watermark[1])) {
      assertThat(restored).as("%s: transfer %s before the backup", where, tx).containsKey(tx);
      checked++;
    }
    c.deleteTable(r -> r.tableName(target));
    return checked;
  }

  private static boolean isAvailable(DynamoDbClient c, String arn) {
    try {
      return c.describeBackup(r -> r.backupArn(arn))
              .backupDescription()
              .backupDetails()
              .backupStatus()
          == BackupStatus.AVAILABLE;
    } catch (BackupNotFoundException e) {
      return false;
    }
  }

  private static String createAndWait(DynamoDbClient c, String name) throws InterruptedException {
    String arn =
        c.createBackup(r -> r.tableName(TABLE).backupName(name)).backupDetails().backupArn();
    for (int i = 0; i < 6000; i++) {
      if (isAvailable(c, arn)) {
        return arn;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("backup " + name + " did not complete");
  }

  private static void awaitActive(DynamoDbClient c, String table, String where)
      throws InterruptedException {
    for (int i = 0; i < 6000; i++) {
      try {
        if (c.describeTable(r -> r.tableName(table)).table().tableStatus() == TableStatus.ACTIVE) {
          return;
        }
      } catch (ResourceNotFoundException e) {
        throw new AssertionError(where + ": restore into " + table + " failed and was dropped", e);
      }
      Thread.sleep(20);
    }
    throw new AssertionError(where + ": " + table + " did not become ACTIVE");
  }

  private static void awaitRestorable(DynamoDbClient c, Instant instant, String where)
      throws InterruptedException {
    Instant latest = null;
    for (int i = 0; i < 3000; i++) {
      latest =
          c.describeContinuousBackups(r -> r.tableName(TABLE))
              .continuousBackupsDescription()
              .pointInTimeRecoveryDescription()
              .latestRestorableDateTime();
      if (latest != null && !latest.isBefore(instant)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        where + ": PITR latest restorable time stuck at " + latest + ", restart was " + instant);
  }
}
