package dev.tidemark.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ReplicationGroupUpdate;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.Tag;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;

/**
 * Settings of a global table after its creation, between two server processes. Protects DynamoDB's
 * 2019.11.21 rule: a TTL set before the replica existed, a GSI created in either region (and its
 * data), a GSI deleted, a TTL changed, the table class and the capacity mode reach the other
 * replica; deletion protection, PITR and tags set in one region stay in that region.
 */
class SettingsSyncIT {
  private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");
  private static final String[] REGIONS = {"us-east-1", "eu-west-1"};
  private static final String TABLE = "profiles";

  private static ServerProcess start(Path dir, int i, int[] ports) throws Exception {
    Path home = dir.resolve(REGIONS[i]);
    Files.createDirectories(home);
    List<String> args = new ArrayList<>(List.of("--region", REGIONS[i]));
    args.addAll(List.of("--replication-secret-file", dir.resolve("secret").toString()));
    args.addAll(List.of("--peer", REGIONS[1 - i] + "=http://127.0.0.1:" + ports[1 - i]));
    return ServerProcess.start(
        JVM,
        home.resolve("data"),
        home.resolve("server.log"),
        ports[i],
        args.toArray(String[]::new));
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    for (int n = 0; n < 600; n++) {
      if (done.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not reached in 30 s: " + what);
  }

  private static TableDescription describe(DynamoDbClient c) {
    return c.describeTable(r -> r.tableName(TABLE)).table();
  }

  private static TimeToLiveDescription ttl(DynamoDbClient c) {
    return c.describeTimeToLive(r -> r.tableName(TABLE)).timeToLiveDescription();
  }

  private static boolean hasActiveIndex(DynamoDbClient c, String name) {
    return describe(c).globalSecondaryIndexes().stream()
        .anyMatch(i -> i.indexName().equals(name) && i.indexStatusAsString().equals("ACTIVE"));
  }

  private static void setTtl(DynamoDbClient c, boolean on, String attribute) {
    c.updateTimeToLive(
        r ->
            r.tableName(TABLE)
                .timeToLiveSpecification(s -> s.enabled(on).attributeName(attribute)));
  }

  @Test
  void synchronizedSettingsFollowAndPerReplicaSettingsStay(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("secret"), "settings-sync-test-secret-0123456789");
    int[] ports = {ServerProcess.freePort(), ServerProcess.freePort()};
    try (ServerProcess east = start(dir, 0, ports);
        ServerProcess west = start(dir, 1, ports);
        DynamoDbClient a = east.client();
        DynamoDbClient b = west.client()) {
      ServerProcess.createTable(a, TABLE);
      setTtl(a, true, "expires");
      for (int n = 0; n < 20; n++) {
        String pk = "p" + n;
        a.putItem(
            r ->
                r.tableName(TABLE)
                    .item(
                        Map.of(
                            "pk", AttributeValue.fromS(pk),
                            "team", AttributeValue.fromS(pk.endsWith("1") ? "red" : "blue"))));
      }
      a.updateTable(
          r ->
              r.tableName(TABLE)
                  .replicaUpdates(
                      ReplicationGroupUpdate.builder()
                          .create(c -> c.regionName(REGIONS[1]))
                          .build()));
      await(
          "replica ACTIVE",
          () ->
              describe(a).replicas().stream()
                  .allMatch(x -> x.replicaStatusAsString().equals("ACTIVE")));
      // The TTL set before the replica existed follows it.
      await(
          "TTL in " + REGIONS[1],
          () ->
              "expires".equals(ttl(b).attributeName())
                  && ttl(b).timeToLiveStatusAsString().equals("ENABLED"));

      // An index created in the replica appears, with its data, in the first region.
      b.updateTable(
          r ->
              r.tableName(TABLE)
                  .attributeDefinitions(
                      AttributeDefinition.builder()
                          .attributeName("team")
                          .attributeType(ScalarAttributeType.S)
                          .build())
                  .globalSecondaryIndexUpdates(
                      GlobalSecondaryIndexUpdate.builder()
                          .create(
                              c ->
                                  c.indexName("byTeam")
                                      .keySchema(
                                          KeySchemaElement.builder()
                                              .attributeName("team")
                                              .keyType(KeyType.HASH)
                                              .build())
                                      .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY)))
                          .build()));
      await("byTeam in " + REGIONS[0], () -> hasActiveIndex(a, "byTeam"));
      assertThat(
              a.query(
                      r ->
                          r.tableName(TABLE)
                              .indexName("byTeam")
                              .keyConditionExpression("team = :t")
                              .expressionAttributeValues(Map.of(":t", AttributeValue.fromS("red"))))
                  .count())
          .isEqualTo(2);
      GlobalSecondaryIndexDescription there = describe(a).globalSecondaryIndexes().get(0);
      assertThat(there.projection().projectionTypeAsString()).isEqualTo("KEYS_ONLY");

      // Per replica: deletion protection, PITR and tags set in the first region stay there.
      a.updateTable(r -> r.tableName(TABLE).deletionProtectionEnabled(true));
      a.updateContinuousBackups(
          r ->
              r.tableName(TABLE)
                  .pointInTimeRecoverySpecification(s -> s.pointInTimeRecoveryEnabled(true)));
      String arnA = describe(a).tableArn();
      a.tagResource(
          r -> r.resourceArn(arnA).tags(Tag.builder().key("owner").value("east").build()));

      // Synchronized: the TTL attribute, the table class, the capacity mode, an index deletion.
      setTtl(a, false, "expires");
      setTtl(a, true, "validUntil");
      a.updateTable(r -> r.tableName(TABLE).tableClass("STANDARD_INFREQUENT_ACCESS"));
      a.updateTable(
          r ->
              r.tableName(TABLE)
                  .globalSecondaryIndexUpdates(
                      GlobalSecondaryIndexUpdate.builder()
                          .delete(d -> d.indexName("byTeam"))
                          .build()));
      a.updateTable(
          r ->
              r.tableName(TABLE)
                  .billingMode("PROVISIONED")
                  .provisionedThroughput(p -> p.readCapacityUnits(7L).writeCapacityUnits(5L)));
      await(
          "all synchronized settings in " + REGIONS[1],
          () -> {
            TableDescription d = describe(b);
            return "validUntil".equals(ttl(b).attributeName())
                && d.tableClassSummary() != null
                && "STANDARD_INFREQUENT_ACCESS".equals(d.tableClassSummary().tableClassAsString())
                && (d.billingModeSummary() == null
                    || "PROVISIONED".equals(d.billingModeSummary().billingModeAsString()))
                && d.provisionedThroughput().readCapacityUnits() == 7L
                && d.globalSecondaryIndexes().isEmpty();
          });
      TableDescription westTable = describe(b);
      assertThat(westTable.deletionProtectionEnabled()).isFalse();
      assertThat(westTable.provisionedThroughput().writeCapacityUnits()).isEqualTo(5L);
      assertThat(
              b.describeContinuousBackups(r -> r.tableName(TABLE))
                  .continuousBackupsDescription()
                  .pointInTimeRecoveryDescription()
                  .pointInTimeRecoveryStatusAsString())
          .isEqualTo("DISABLED");
      assertThat(b.listTagsOfResource(r -> r.resourceArn(westTable.tableArn())).tags()).isEmpty();
      assertThat(describe(a).deletionProtectionEnabled()).isTrue();
      // Both regions still replicate items after all of it.
      b.putItem(r -> r.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS("late"))));
      await(
          "item from " + REGIONS[1],
          () ->
              a.getItem(r -> r.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("late"))))
                  .hasItem());
    }
  }
}
