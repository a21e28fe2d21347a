package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * kill -9 of a server process during a cold transition (issue 14, part 5): a recovery point is
 * always either WARM with its warm backup or COLD with its complete, verified cold copy, never both
 * gone and never a partial copy shown COLD; the move starts again after the restart and happens
 * once; a restore from COLD gives every item back; DeleteAfterDays removes the cold copy. The
 * server's AWS Backup clock is moved days ahead with {@code -Dtidemark.awsBackup.clockOffsetMillis}
 * so that the points come due.
 */
class ColdTierCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long DAY = 86_400_000L;
  private static final int ITEMS = 2000;
  private static final String ROLE = "arn:aws:iam::000000000000:role/backup";
  private static final String TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/big";

  @TempDir Path dir;
  Path data;
  Path backups;
  Path coldDir;
  int port;
  int starts;

  String[] flags() {
    return new String[] {
      "--backup-dir", backups.toString(), "--cold-backup-store", "file://" + coldDir
    };
  }

  ServerProcess start(long offsetDays) throws Exception {
    return ServerProcess.start(
        jvm(offsetDays), data, dir.resolve("server-" + ++starts + ".log"), port, flags());
  }

  static List<String> jvm(long offsetDays) {
    return List.of("-Xmx256m", "-Dtidemark.awsBackup.clockOffsetMillis=" + offsetDays * DAY);
  }

  /**
   * Starts the server and kills it with SIGKILL as soon as its log shows {@code line} (the start
   * may not have finished by then). Returns the log up to the kill.
   */
  String startAndKillAt(long offsetDays, String line) throws Exception {
    Path log = dir.resolve("server-" + ++starts + ".log");
    Files.createFile(log);
    ExecutorService starter = Executors.newSingleThreadExecutor();
    Future<ServerProcess> started =
        starter.submit(() -> ServerProcess.start(jvm(offsetDays), data, log, port, flags()));
    long deadline = System.currentTimeMillis() + 30_000;
    while (!Files.readString(log).contains(line) && System.currentTimeMillis() < deadline) {
      Thread.sleep(2);
    }
    String seen = Files.readString(log);
    assertThat(seen).as("the server reached: " + line).contains(line);
    String dataDir = data.toString();
    try (Stream<ProcessHandle> children = ProcessHandle.current().children()) {
      children
          .filter(h -> h.info().commandLine().map(c -> c.contains(dataDir)).orElse(false))
          .forEach(
              h -> {
                h.destroyForcibly();
                h.onExit().join();
              });
    }
    try {
      started.get();
    } catch (java.util.concurrent.ExecutionException e) {
      // Killed before it answered its health check.
    }
    starter.shutdown();
    return seen;
  }

  JsonNode call(int status, String method, String path, String body) throws Exception {
    SignedHttp.RestAnswer a =
        SignedHttp.rest("http://127.0.0.1:" + port, "crash", "crash", method, path, body);
    assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(status);
    return a.body().isEmpty() ? null : JSON.readTree(a.body());
  }

  JsonNode await(String path, String field, String value) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode j;
    do {
      j = call(200, "GET", path, null);
      if (value.equals(j.path(field).asText())) {
        return j;
      }
      Thread.sleep(20);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError(path + " never had " + field + " = " + value + ": " + j);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  String point(String arn) throws Exception {
    return "/backup-vaults/Default/recovery-points/" + enc(arn);
  }

  /** Runs a backup job of the table, cold after {@code coldDays}; returns the point's ARN. */
  String backup(int coldDays) throws Exception {
    JsonNode job =
        call(
            200,
            "PUT",
            "/backup-jobs",
            "{\"BackupVaultName\":\"Default\",\"ResourceArn\":\""
                + TABLE_ARN
                + "\",\"IamRoleArn\":\""
                + ROLE
                + "\",\"Lifecycle\":{\"MoveToColdStorageAfterDays\":"
                + coldDays
                + ",\"DeleteAfterDays\":"
                + (coldDays + 90)
                + "}}");
    return await("/backup-jobs/" + job.get("BackupJobId").asText(), "State", "COMPLETED")
        .get("RecoveryPointArn")
        .asText();
  }

  static long manifests(Path store) throws Exception {
    Path m = store.resolve("manifests");
    if (!Files.isDirectory(m)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(m)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  /** A point's StorageClass, after checking it is one of the two with its data where it says. */
  String storageClass(String arn) throws Exception {
    JsonNode p = call(200, "GET", point(arn), null);
    assertThat(p.get("Status").asText()).isEqualTo("COMPLETED");
    return p.get("StorageClass").asText();
  }

  /** Writes items {@code from, from + step, ...} (25 to a request) and notes them in expected. */
  static void fill(DynamoDbClient c, Map<String, String> expected, int from, int step) {
    List<WriteRequest> batch = new ArrayList<>();
    for (int i = from; i < ITEMS; i += step) {
      String pk = "item-" + i;
      String v = "v".repeat(1000) + i + "@" + from;
      expected.put(pk, v);
      batch.add(
          WriteRequest.builder()
              .putRequest(
                  r -> r.item(Map.of("pk", AttributeValue.fromS(pk), "v", AttributeValue.fromS(v))))
              .build());
      if (batch.size() == 25 || i + step >= ITEMS) {
        List<WriteRequest> items = List.copyOf(batch);
        assertThat(c.batchWriteItem(r -> r.requestItems(Map.of("big", items))).unprocessedItems())
            .isEmpty();
        batch.clear();
      }
    }
  }

  /** Restores the point with StartRestoreJob and compares every item of the new table. */
  void restoreAndCompare(DynamoDbClient c, String arn, String target, Map<String, String> want)
      throws Exception {
    JsonNode job =
        call(
            200,
            "PUT",
            "/restore-jobs",
            "{\"RecoveryPointArn\":\""
                + arn
                + "\",\"IamRoleArn\":\""
                + ROLE
                + "\",\"ResourceType\":\"DynamoDB\",\"Metadata\":{\"targetTableName\":\""
                + target
                + "\"}}");
    await("/restore-jobs/" + job.get("RestoreJobId").asText(), "Status", "COMPLETED");
    assertThat(c.describeTable(r -> r.tableName(target)).table().tableStatus())
        .isEqualTo(TableStatus.ACTIVE);
    Map<String, String> got = new HashMap<>();
    for (var page : c.scanPaginator(r -> r.tableName(target))) {
      page.items().forEach(i -> got.put(i.get("pk").s(), i.get("v").s()));
    }
    assertThat(got).isEqualTo(want);
  }

  // Protects the cold transition's crash safety: killed as a move starts, and killed as a point
  // turns COLD, each point is WARM with its warm backup or COLD with its cold copy; the moves end
  // COLD with the warm backups gone, the restores from COLD are exact, and DeleteAfterDays removes
  // the cold copies.
  @Test
  void killNineDuringTheColdTransition() throws Exception {
    data = dir.resolve("data");
    backups = dir.resolve("backups");
    coldDir = dir.resolve("cold");
    port = ServerProcess.freePort();
    Map<String, String> first = new HashMap<>();
    Map<String, String> second;
    String early;
    String late;
    try (ServerProcess first0 = start(0);
        DynamoDbClient c = first0.client()) {
      ServerProcess.createTable(c, "big");
      fill(c, first, 0, 1);
      early = backup(1);
      second = new HashMap<>(first);
      fill(c, second, 1, 3);
      for (int i = 2; i < ITEMS; i += 50) {
        String pk = "item-" + i;
        c.deleteItem(r -> r.tableName("big").key(Map.of("pk", AttributeValue.fromS(pk))));
        second.remove(pk);
      }
      late = backup(3);
    }
    assertThat(manifests(backups)).isEqualTo(2);

    // Two days on, the first point is due: killed as its move starts.
    String log = startAndKillAt(2, "moving it to the cold store");
    System.out.println(
        "ColdTierCrashIT: kill -9 as the move started; the log "
            + (log.contains("is COLD") ? "had" : "had not")
            + " reached COLD");
    ServerProcess server = start(2);
    try {
      String now = storageClass(early);
      assertThat(now).isIn("WARM", "COLD");
      await(point(early), "StorageClass", "COLD");
      assertThat(storageClass(late)).isEqualTo("WARM");
    } finally {
      server.close();
    }
    assertThat(manifests(coldDir)).isEqualTo(1);
    assertThat(manifests(backups)).isEqualTo(1);

    // Four days on, the second: killed as it turns COLD, before its warm backup is deleted.
    log = startAndKillAt(4, "is COLD");
    System.out.println(
        "ColdTierCrashIT: kill -9 at the switch; the warm backup "
            + (log.contains("its warm backup") ? "was" : "was not yet")
            + " deleted");
    try (ServerProcess restarted = start(4);
        DynamoDbClient c = restarted.client()) {
      assertThat(storageClass(late)).isEqualTo("COLD");
      await(point(late), "StorageClass", "COLD");
      JsonNode listed = call(200, "GET", "/backup-vaults/Default/recovery-points/", null);
      assertThat(listed.get("RecoveryPoints"))
          .allSatisfy(p -> assertThat(p.get("StorageClass").asText()).isEqualTo("COLD"));
      assertThat(
              call(200, "GET", point(late), null)
                  .get("CalculatedLifecycle")
                  .has("MoveToColdStorageAt"))
          .isTrue();
      restoreAndCompare(c, late, "restored_late", second);
      restoreAndCompare(c, early, "restored_early", first);
    }
    assertThat(manifests(backups)).as("no warm backup is left").isZero();
    assertThat(manifests(coldDir)).isEqualTo(2);

    // Past both DeleteAfterDays: both points, and their cold copies, are gone.
    server = start(100);
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      while (call(200, "GET", "/backup-vaults/Default/recovery-points/", null)
                  .get("RecoveryPoints")
                  .size()
              > 0
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertThat(
              call(200, "GET", "/backup-vaults/Default/recovery-points/", null)
                  .get("RecoveryPoints"))
          .isEmpty();
    } finally {
      server.close();
    }
    assertThat(manifests(coldDir)).isZero();
    assertThat(manifests(backups)).isZero();
    try (Stream<Path> files = Files.walk(coldDir.resolve("tables"))) {
      assertThat(files.filter(f -> f.toString().contains("/data/")).filter(Files::isRegularFile))
          .as("no cold data object is left")
          .isEmpty();
    }
  }
}
