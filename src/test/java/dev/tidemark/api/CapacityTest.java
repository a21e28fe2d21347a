package dev.tidemark.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.model.AttributeValue;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DynamoDB's capacity arithmetic and the shapes ConsumedCapacity takes on the wire. */
class CapacityTest {

  /** An item of exactly {@code bytes} bytes as DynamoDB counts them: name "k" plus a string. */
  private static Map<String, AttributeValue> itemOf(int bytes) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("k", new AttributeValue.S("x".repeat(bytes - 1)));
    return item;
  }

  // Protects read units: 4 KB steps, at least one, half for eventually consistent reads.
  @Test
  void itemReadsRoundUpToFourKilobytes() {
    assertThat(Capacity.itemRead(null, true)).isEqualTo(1.0);
    assertThat(Capacity.itemRead(null, false)).isEqualTo(0.5);
    assertThat(Capacity.itemRead(itemOf(4096), true)).isEqualTo(1.0);
    assertThat(Capacity.itemRead(itemOf(4097), true)).isEqualTo(2.0);
    assertThat(Capacity.itemRead(itemOf(4097), false)).isEqualTo(1.0);
    assertThat(Capacity.itemRead(itemOf(400 * 1024), true)).isEqualTo(100.0);
  }

  // Protects write units: 1 KB steps of the larger of old and new item, at least one.
  @Test
  void itemWritesUseTheLargerImage() {
    assertThat(Capacity.itemWrite(null, null)).isEqualTo(1.0);
    assertThat(Capacity.itemWrite(null, itemOf(1024))).isEqualTo(1.0);
    assertThat(Capacity.itemWrite(null, itemOf(1025))).isEqualTo(2.0);
    assertThat(Capacity.itemWrite(itemOf(3000), itemOf(10))).isEqualTo(3.0);
    assertThat(Capacity.itemWrite(itemOf(10), null)).isEqualTo(1.0);
  }

  // Protects Query/Scan: item sizes are summed and rounded once, not per item.
  @Test
  void rangeReadsRoundOnce() {
    assertThat(Capacity.rangeRead(0, true)).isEqualTo(1.0);
    assertThat(Capacity.rangeRead(10 * 1000, true)).isEqualTo(3.0);
    assertThat(Capacity.rangeRead(10 * 1000, false)).isEqualTo(1.5);
  }

  // Protects the single-object shape of TOTAL and INDEXES for non-transactional calls.
  @Test
  void singleShapes() {
    ObjectNode total = Json.object();
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .read("t", itemOf(5000), false)
        .putSingle(total, Capacity.Return.TOTAL);
    assertThat(total.toString())
        .isEqualTo("{\"ConsumedCapacity\":{\"TableName\":\"t\",\"CapacityUnits\":1.0}}");
    ObjectNode indexes = Json.object();
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .write("t", null, itemOf(10))
        .indexUnits("t", "g1", true, 1)
        .indexUnits("t", "l1", false, 2)
        .putSingle(indexes, Capacity.Return.INDEXES);
    assertThat(indexes.toString())
        .isEqualTo(
            "{\"ConsumedCapacity\":{\"TableName\":\"t\",\"CapacityUnits\":4.0,"
                + "\"Table\":{\"CapacityUnits\":1.0},"
                + "\"GlobalSecondaryIndexes\":{\"g1\":{\"CapacityUnits\":1.0}},"
                + "\"LocalSecondaryIndexes\":{\"l1\":{\"CapacityUnits\":2.0}}}}");
    ObjectNode none = Json.object();
    new Capacity.Tally(Capacity.Kind.STANDARD)
        .read("t", null, true)
        .putSingle(none, Capacity.Return.NONE);
    assertThat(none.isEmpty()).isTrue();
  }

  // Protects transactions: doubled units, named Read/WriteCapacityUnits, one entry per table.
  @Test
  void transactionalShapes() {
    ObjectNode out = Json.object();
    new Capacity.Tally(Capacity.Kind.TRANSACTIONAL_WRITE)
        .write("a", null, itemOf(10))
        .write("b", itemOf(2000), null)
        .write("a", itemOf(10), itemOf(10))
        .putList(out, Capacity.Return.INDEXES);
    assertThat(out.toString())
        .isEqualTo(
            "{\"ConsumedCapacity\":["
                + "{\"TableName\":\"a\",\"CapacityUnits\":4.0,\"WriteCapacityUnits\":4.0,"
                + "\"Table\":{\"CapacityUnits\":4.0,\"WriteCapacityUnits\":4.0}},"
                + "{\"TableName\":\"b\",\"CapacityUnits\":4.0,\"WriteCapacityUnits\":4.0,"
                + "\"Table\":{\"CapacityUnits\":4.0,\"WriteCapacityUnits\":4.0}}]}");
    ObjectNode reads = Json.object();
    new Capacity.Tally(Capacity.Kind.TRANSACTIONAL_READ)
        .read("a", itemOf(5000), false)
        .putList(reads, Capacity.Return.TOTAL);
    assertThat(reads.toString())
        .isEqualTo(
            "{\"ConsumedCapacity\":[{\"TableName\":\"a\",\"CapacityUnits\":4.0,"
                + "\"ReadCapacityUnits\":4.0}]}");
  }
}
