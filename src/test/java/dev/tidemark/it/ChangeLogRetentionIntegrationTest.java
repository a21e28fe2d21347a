package dev.tidemark.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.changelog.RetentionFloor;
import dev.tidemark.retention.ChangeLogRetention;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Change-log retention: age limit, floors held by consumers, dropped tables, the trim horizon. */
class ChangeLogRetentionIntegrationTest {
  private ClockedServer server;
  private DynamoDbClient ddb;

  @BeforeEach
  void start() throws Exception {
    server = new ClockedServer();
    ddb = server.client;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private long createTable(String name) {
    ddb.createTable(
        r ->
            r.tableName(name)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
    return server.db.require(name).id();
  }

  private void put(String table, String pk) {
    ddb.putItem(r -> r.tableName(table).item(Map.of("pk", AttributeValue.fromS(pk))));
  }

  private List<Long> seqs(long tableId) {
    return server.db.changeLog().read(tableId, 0, Long.MAX_VALUE, 1000).stream()
        .map(ChangeRecord::seq)
        .toList();
  }

  // Protects the age limit: records younger than retention stay, older ones go.
  @Test
  void recordsOlderThanRetentionAreDropped() {
    long id = createTable("aged");
    put("aged", "old");
    server.advance(Duration.ofHours(23));
    put("aged", "young");
    ChangeLogRetention retention = server.retention(Duration.ofHours(24));
    assertThat(retention.trimOnce()).isZero();
    server.advance(Duration.ofHours(2));
    assertThat(retention.trimOnce()).isEqualTo(1);
    List<Long> left = seqs(id);
    assertThat(left).hasSize(1);
    assertThat(server.db.changeLog().trimmedBefore(id)).isEqualTo(left.get(0));
  }

  // Protects the PITR hook: a floor keeps unconsumed records past their age limit.
  @Test
  void floorHoldsTrimmingBack() {
    long id = createTable("held");
    long other = createTable("unheld");
    put("held", "a");
    put("held", "b");
    put("held", "c");
    put("unheld", "x");
    List<Long> seqs = seqs(id);
    server.advance(Duration.ofDays(2));

    ChangeLogRetention held = server.retention(Duration.ofHours(24));
    long floor = seqs.get(1);
    held.addFloor(tableId -> tableId == id ? floor : RetentionFloor.NONE);
    assertThat(held.trimOnce()).isEqualTo(2); // "a" of held, "x" of unheld
    assertThat(seqs(id)).containsExactly(seqs.get(1), seqs.get(2));
    assertThat(seqs(other)).isEmpty();
    assertThat(server.db.changeLog().trimmedBefore(id)).isEqualTo(seqs.get(0) + 1);

    assertThat(server.retention(Duration.ofHours(24)).trimOnce()).isEqualTo(2);
    assertThat(seqs(id)).isEmpty();
    assertThat(server.db.changeLog().trimmedBefore(id)).isEqualTo(seqs.get(2) + 1);
  }

  // Protects dropped tables: their history stays for the retention period, then goes too.
  @Test
  void logsOfDroppedTablesAreKeptThenTrimmed() {
    long id = createTable("dropped");
    put("dropped", "a");
    ddb.deleteTable(r -> r.tableName("dropped"));
    createTable("dropped");
    assertThat(seqs(id)).hasSize(1);
    server.advance(Duration.ofHours(25));
    assertThat(server.retention(Duration.ofHours(24)).trimOnce()).isEqualTo(1);
    assertThat(seqs(id)).isEmpty();
  }
}
