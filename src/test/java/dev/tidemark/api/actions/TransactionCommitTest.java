package dev.tidemark.api.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Operations;
import dev.tidemark.api.RequestContext;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TransactWriteItems at the storage level: what it leaves in the change log. */
class TransactionCommitTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  // A clock that moves 1 ms per reading, so two commits can never share a time by accident.
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private Database db;
  private Operations ops;

  @BeforeEach
  void open() throws Exception {
    db = new Database(RocksStorage.inMemory(), clock::incrementAndGet, true, "us-east-1", "0");
    ops =
        new Operations()
            .register(new CreateTable(db))
            .register(new PutItem(db))
            .register(new TransactWriteItems(db));
    for (String t : List.of("tx_a", "tx_b")) {
      call(
          "CreateTable",
          "{\"TableName\":\""
              + t
              + "\",\"BillingMode\":\"PAY_PER_REQUEST\","
              + "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
              + "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]}");
    }
  }

  @AfterEach
  void close() {
    db.close();
  }

  private ObjectNode call(String action, String body) throws Exception {
    JsonNode req = JSON.readTree(body);
    return ops.find(action)
        .orElseThrow()
        .execute(new RequestContext("r", CallerIdentity.anonymous("us-east-1"), 0), req);
  }

  private List<ChangeRecord> log(String table) {
    Table t = db.require(table);
    return db.changeLog().read(t.id(), 0, Long.MAX_VALUE, 1000);
  }

  private static String put(String table, String pk, String v) {
    return "{\"Put\":{\"TableName\":\""
        + table
        + "\",\"Item\":{\"pk\":{\"S\":\""
        + pk
        + "\"},\"v\":{\"S\":\""
        + v
        + "\"}}}}";
  }

  // Protects the change-log shape of a transaction: one commit time, consecutive seqs, all tables.
  @Test
  void transactionRecordsShareCommitTimeAndConsecutiveSeqs() throws Exception {
    call("PutItem", "{\"TableName\":\"tx_a\",\"Item\":{\"pk\":{\"S\":\"before\"}}}");
    call(
        "TransactWriteItems",
        "{\"TransactItems\":["
            + put("tx_a", "a1", "x")
            + ","
            + put("tx_b", "b1", "x")
            + ","
            + "{\"Update\":{\"TableName\":\"tx_a\",\"Key\":{\"pk\":{\"S\":\"before\"}},"
            + "\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"y\"}}}},"
            + "{\"ConditionCheck\":{\"TableName\":\"tx_b\",\"Key\":{\"pk\":{\"S\":\"nope\"}},"
            + "\"ConditionExpression\":\"attribute_not_exists(pk)\"}},"
            + put("tx_b", "b2", "x")
            + "]}");
    call("PutItem", "{\"TableName\":\"tx_a\",\"Item\":{\"pk\":{\"S\":\"after\"}}}");

    List<ChangeRecord> all = new ArrayList<>(log("tx_a"));
    all.addAll(log("tx_b"));
    all.sort(Comparator.comparingLong(ChangeRecord::seq));
    assertThat(all).hasSize(6);
    List<ChangeRecord> txn = all.subList(1, 5);
    // The ConditionCheck changed nothing and left no record; the four writes did.
    assertThat(txn)
        .extracting(r -> ((AttributeValue.S) r.key().get("pk")).value())
        .containsExactly("a1", "b1", "before", "b2");
    long first = txn.get(0).seq();
    for (int i = 0; i < txn.size(); i++) {
      assertThat(txn.get(i).seq()).isEqualTo(first + i);
      assertThat(txn.get(i).commitTimeMillis()).isEqualTo(txn.get(0).commitTimeMillis());
    }
    assertThat(all.get(0).commitTimeMillis()).isLessThan(txn.get(0).commitTimeMillis());
    assertThat(all.get(5).commitTimeMillis()).isGreaterThan(txn.get(0).commitTimeMillis());
    assertThat(all.get(5).seq()).isEqualTo(first + 4);
  }

  // Protects all-or-nothing: a cancelled transaction adds no record and advances no seq.
  @Test
  void cancelledTransactionLeavesNoTrace() throws Exception {
    call("PutItem", "{\"TableName\":\"tx_b\",\"Item\":{\"pk\":{\"S\":\"taken\"}}}");
    long seqBefore = db.writePath().appliedSeq();
    DynamoException e =
        catchThrowableOfType(
            DynamoException.class,
            () ->
                call(
                    "TransactWriteItems",
                    "{\"TransactItems\":["
                        + put("tx_a", "new", "x")
                        + ",{\"Put\":{\"TableName\":\"tx_b\",\"Item\":{\"pk\":{\"S\":\"taken\"}},"
                        + "\"ConditionExpression\":\"attribute_not_exists(pk)\"}}]}"));
    assertThat(e.error()).isEqualTo(WireError.TRANSACTION_CANCELED);
    assertThat(db.writePath().appliedSeq()).isEqualTo(seqBefore);
    assertThat(log("tx_a")).isEmpty();
    assertThat(log("tx_b")).hasSize(1);
  }
}
