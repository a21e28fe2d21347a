package dev.tidemark.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.api.Action;
import dev.tidemark.backup.crypto.SymmetricKey;
import dev.tidemark.backup.store.MemoryObjectStore;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.testkit.AssembledServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BackupStatus;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Hostile input against the real HTTP pipeline: malformed JSON, wrong types, deep nesting,
 * out-of-range numbers, huge strings and items, broken expressions, bad targets, headers and
 * framing, and random mutations of a valid request for every registered operation. Every answer
 * must be a DynamoDB-style 4xx JSON error with a {@code __type}, or a 2xx with a JSON object when
 * the mutated request is still valid — never a 5xx, a hang or a dropped connection. Afterwards a
 * canary table no request names is unchanged and the server still serves.
 *
 * <p>{@code -Dfuzz.requests} (default 10,000) and {@code -Dfuzz.seed} choose the run; a failure
 * prints the request's number, so {@code Mutator.make(seed, n)} rebuilds it exactly.
 */
class HostileInputFuzzTest {
  private static final int WORKERS = 4;
  private static final int CANARY_ITEMS = 60;

  // Protects the wire contract under hostile input: only 2xx/4xx DynamoDB answers, no 5xx, no
  // hang, no dropped connection, no change to data no request names.
  @Test
  void hostileRequestsNeverBreakTheServerOrItsData(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    int requests = Integer.getInteger("fuzz.requests", 10_000);
    System.out.println("HostileInputFuzzTest seed=" + seed + " requests=" + requests);
    try (AssembledServer server =
        AssembledServer.start(
            new MemoryObjectStore(),
            SymmetricKey.random(),
            dir.resolve("scratch"),
            PitrService.Config.defaults())) {
      DynamoDbClient c = server.client;
      Set<String> registered = new TreeSet<>();
      for (Action a : server.operations.all()) {
        registered.add(a.name());
      }
      assertThat(RequestCorpus.operations())
          .as("the corpus has a valid request for every registered operation")
          .containsExactlyInAnyOrderElementsOf(registered);

      createFixtures(c);
      Map<String, Map<String, AttributeValue>> canaryBefore = scanCanary(c);
      String keep = backup(c, "keep");
      String victim = backup(c, "victim");
      c.updateContinuousBackups(
          r ->
              r.tableName("fuzz_b")
                  .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));

      Map<String, String> substitutions = streamFixtures(server, c);
      substitutions.put("${ARN}", keep);
      substitutions.put("${VICTIM_ARN}", victim);
      Mutator mutator =
          new Mutator(
              new RequestCorpus(substitutions), new ArrayList<>(RequestCorpus.operations()));
      Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicLong next = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        workers.add(
            pool.submit(
                () -> {
                  try (WireClient wire = new WireClient(server.port, 30_000)) {
                    String previous = "none";
                    for (long i = next.getAndIncrement();
                        i < requests;
                        i = next.getAndIncrement()) {
                      Mutator.FuzzRequest req =
                          i % 2500 == 1249 ? Mutator.oversized() : mutator.make(seed, i);
                      String problem = check(wire, req, byStatus);
                      if (problem != null && failures.size() < 50) {
                        failures.add(
                            "request #"
                                + i
                                + ": "
                                + problem
                                + "\n"
                                + req.preview()
                                + "\n(previous request on this connection: "
                                + previous
                                + ")");
                      }
                      previous = "#" + i + " " + req.label();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
      pool.shutdown();
      server.backups.awaitIdle(120_000);
      System.out.println("HostileInputFuzzTest answers by status: " + new TreeMap<>(byStatus));
      assertThat(failures).as("seed %d: requests answered wrongly", seed).isEmpty();

      // The data no request named is exactly as it was, and the server still does its job.
      assertThat(scanCanary(c)).as("canary content, seed %d", seed).isEqualTo(canaryBefore);
      assertThat(c.describeTable(r -> r.tableName("canary")).table().itemCount())
          .isEqualTo(CANARY_ITEMS);
      int viaIndex = 0;
      for (int g = 0; g < 3; g++) {
        String group = "g" + g;
        viaIndex +=
            c.query(
                    r ->
                        r.tableName("canary")
                            .indexName("cgsi")
                            .keyConditionExpression("g = :g")
                            .expressionAttributeValues(Map.of(":g", AttributeValue.fromS(group))))
                .count();
      }
      assertThat(viaIndex).as("canary index entries").isEqualTo(CANARY_ITEMS);
      c.putItem(
          r ->
              r.tableName("canary")
                  .item(Map.of("pk", AttributeValue.fromS("after"), "sk", num(1))));
      assertThat(
              c.getItem(
                      r ->
                          r.tableName("canary")
                              .key(Map.of("pk", AttributeValue.fromS("after"), "sk", num(1))))
                  .hasItem())
          .isTrue();
    }
  }

  /** Sends one request; returns what is wrong with the answer, or null. */
  private static String check(
      WireClient wire, Mutator.FuzzRequest req, Map<Integer, LongAdder> byStatus) {
    WireClient.Reply reply;
    try {
      reply = wire.exchange(req.head(), req.body(), req.halfClose());
    } catch (WireClient.HangException e) {
      return "HANG: " + e.getMessage();
    } catch (IOException e) {
      return "DROPPED CONNECTION: " + e;
    }
    byStatus.computeIfAbsent(reply.status(), s -> new LongAdder()).increment();
    int status = reply.status();
    JsonNode body;
    try {
      body = RequestCorpus.JSON.readTree(reply.body());
    } catch (IOException e) {
      return "status " + status + " with a body that is not JSON: " + abbreviate(reply.text());
    }
    String head = new String(req.head(), StandardCharsets.ISO_8859_1);
    if (status == 200 && head.startsWith("OPTIONS ") && reply.body().length == 0) {
      return null; // a CORS preflight: answered, as on DynamoDB, with headers and no body
    }
    if (status >= 200 && status < 300) {
      return body != null && body.isObject() ? null : "2xx without a JSON object";
    }
    // DynamoDB answers a body that is not the gzip its Content-Encoding claims with a 500
    // internal failure; that one 500 is expected, any other is a bug.
    if (status == 500
        && head.contains("Content-Encoding: gzip")
        && body != null
        && body.path("__type").asText().endsWith("#InternalServerError")
        && body.path("message").asText().startsWith("The request body could not be decoded")) {
      return null;
    }
    if (status >= 400 && status < 500) {
      JsonNode type = body == null ? null : body.get("__type");
      if (type == null || !type.isTextual() || !type.asText().contains("#")) {
        return "4xx without a DynamoDB __type: " + abbreviate(reply.text());
      }
      if (reply.header("x-amzn-RequestId") == null) {
        return "4xx without x-amzn-RequestId";
      }
      return null;
    }
    return "status " + status + ": " + abbreviate(reply.text());
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  private static AttributeValue num(long n) {
    return AttributeValue.fromN(Long.toString(n));
  }

  private static AttributeDefinition attr(String name, ScalarAttributeType type) {
    return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }

  private static void createFixtures(DynamoDbClient c) {
    c.createTable(
        r ->
            r.tableName("fuzz")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .deletionProtectionEnabled(true)
                .streamSpecification(
                    st -> st.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES))
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("sk", ScalarAttributeType.N),
                    attr("g", ScalarAttributeType.S),
                    attr("l", ScalarAttributeType.N))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .localSecondaryIndexes(
                    LocalSecondaryIndex.builder()
                        .indexName("lsi")
                        .keySchema(key("pk", KeyType.HASH), key("l", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))
                        .build())
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("gsi")
                        .keySchema(key("g", KeyType.HASH), key("sk", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.ALL))
                        .build()));
    c.createTable(
        r ->
            r.tableName("fuzz_b")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .deletionProtectionEnabled(true)
                .attributeDefinitions(attr("pk", ScalarAttributeType.B))
                .keySchema(key("pk", KeyType.HASH)));
    c.createTable(
        r ->
            r.tableName("canary")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .deletionProtectionEnabled(true)
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("sk", ScalarAttributeType.N),
                    attr("g", ScalarAttributeType.S))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("cgsi")
                        .keySchema(key("g", KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))
                        .build()));
    for (int i = 0; i < 40; i++) {
      int n = i;
      c.putItem(
          r ->
              r.tableName("fuzz")
                  .item(
                      Map.of(
                          "pk", AttributeValue.fromS("p" + (n % 12)),
                          "sk", num(n),
                          "g", AttributeValue.fromS("g" + (n % 2)),
                          "l", num(n * 7 % 5))));
      c.putItem(
          r ->
              r.tableName("fuzz_b")
                  .item(
                      Map.of(
                          "pk",
                          AttributeValue.fromB(SdkBytes.fromUtf8String("k" + n)),
                          "v",
                          AttributeValue.fromS("v" + n))));
    }
    for (int i = 0; i < CANARY_ITEMS; i++) {
      int n = i;
      c.putItem(
          r ->
              r.tableName("canary")
                  .item(
                      Map.of(
                          "pk", AttributeValue.fromS("c" + (n % 7)),
                          "sk", num(n),
                          "g", AttributeValue.fromS("g" + (n % 3)),
                          "payload", AttributeValue.fromS("canary-" + n))));
    }
  }

  private static Map<String, Map<String, AttributeValue>> scanCanary(DynamoDbClient c) {
    Map<String, Map<String, AttributeValue>> out = new TreeMap<>();
    for (var page : c.scanPaginator(r -> r.tableName("canary").consistentRead(true))) {
      for (var item : page.items()) {
        out.put(item.get("pk").s() + "/" + item.get("sk").n(), item);
      }
    }
    return out;
  }

  /** The fuzz table's stream, a shard, a sequence number in it and an iterator, for templates. */
  private static Map<String, String> streamFixtures(AssembledServer server, DynamoDbClient c) {
    String arn = c.describeTable(r -> r.tableName("fuzz")).table().latestStreamArn();
    try (DynamoDbStreamsClient streams =
        DynamoDbStreamsClient.builder()
            .endpointOverride(java.net.URI.create(server.endpoint()))
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("f", "f")))
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
            .build()) {
      String shard =
          streams
              .describeStream(r -> r.streamArn(arn))
              .streamDescription()
              .shards()
              .get(0)
              .shardId();
      String iterator =
          streams
              .getShardIterator(
                  r ->
                      r.streamArn(arn)
                          .shardId(shard)
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      String sequence =
          streams
              .getRecords(r -> r.shardIterator(iterator))
              .records()
              .get(0)
              .dynamodb()
              .sequenceNumber();
      Map<String, String> out = new java.util.HashMap<>();
      out.put("${STREAM_ARN}", arn);
      out.put("${SHARD_ID}", shard);
      out.put("${SEQUENCE}", sequence);
      out.put("${ITERATOR}", iterator);
      return out;
    }
  }

  private static String backup(DynamoDbClient c, String name) throws InterruptedException {
    String arn =
        c.createBackup(r -> r.tableName("fuzz_b").backupName(name)).backupDetails().backupArn();
    for (int i = 0; i < 3000; i++) {
      try {
        if (c.describeBackup(r -> r.backupArn(arn))
                .backupDescription()
                .backupDetails()
                .backupStatus()
            == BackupStatus.AVAILABLE) {
          return arn;
        }
      } catch (ResourceNotFoundException e) {
        throw new AssertionError("backup vanished", e);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("backup " + name + " did not become AVAILABLE");
  }
}
