package dev.tidemark.it;

import static dev.tidemark.it.Indexed.attr;
import static dev.tidemark.it.Indexed.gsi;
import static dev.tidemark.it.Indexed.gsiOf;
import static dev.tidemark.it.Indexed.hash;
import static dev.tidemark.it.Indexed.lsi;
import static dev.tidemark.it.Indexed.queryAll;
import static dev.tidemark.it.Indexed.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Seeded random puts, updates and deletes through the SDK, then every index is read back, page by
 * page and in both directions, and compared with what a reference model of the items says the index
 * must hold, in DynamoDB's order and with each index's projection.
 */
class IndexModelIntegrationTest {
  private static final long SEED = Long.getLong("tidemark.seed", 7_2026_11_21L);
  private static final String T = "model";
  private static final List<String> PKS = List.of("p0", "p1", "p2", "p3");
  private static final List<String> GS = List.of("g0", "g1", "g2");
  private static final List<byte[]> BS =
      List.of(new byte[] {0}, new byte[] {0, 1}, new byte[] {(byte) 0xFF}, new byte[] {7, 0});

  /** How an index is keyed and what it projects; mirrors the table created below. */
  private record Index(String name, String hash, String range, Set<String> carried, boolean all) {}

  private static final List<Index> INDEXES =
      List.of(
          new Index("lsi_a", "pk", "a", Set.of(), false),
          new Index("gsi_ga", "g", "a", Set.of("x"), false),
          new Index("gsi_g", "g", null, Set.of(), true),
          new Index("gsi_b", "bb", "sk", Set.of(), false));

  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(
        r ->
            r.tableName(T)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("sk", ScalarAttributeType.N),
                    attr("a", ScalarAttributeType.N),
                    attr("g", ScalarAttributeType.S),
                    attr("bb", ScalarAttributeType.B))
                .keySchema(hash("pk"), range("sk"))
                .localSecondaryIndexes(lsi("lsi_a", "pk", "a", ProjectionType.KEYS_ONLY))
                .globalSecondaryIndexes(
                    gsi("gsi_ga", "g", "a", ProjectionType.INCLUDE, "x"),
                    gsi("gsi_g", "g", null, ProjectionType.ALL),
                    gsi("gsi_b", "bb", "sk", ProjectionType.KEYS_ONLY)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static AttributeValue num(BigDecimal v) {
    return AttributeValue.fromN(v.toPlainString());
  }

  static AttributeValue randomA(Random rnd) {
    // Integers and halves between -3 and 3: many equal index keys, negative and fractional.
    return num(BigDecimal.valueOf(rnd.nextInt(13) - 6).divide(BigDecimal.valueOf(2)));
  }

  static AttributeValue randomB(Random rnd) {
    return AttributeValue.fromB(SdkBytes.fromByteArray(BS.get(rnd.nextInt(BS.size()))));
  }

  static Map<String, AttributeValue> randomItem(Random rnd, String pk, int sk) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", AttributeValue.fromS(pk));
    item.put("sk", AttributeValue.fromN(Integer.toString(sk)));
    if (rnd.nextInt(10) < 7) {
      item.put("g", AttributeValue.fromS(GS.get(rnd.nextInt(GS.size()))));
    }
    if (rnd.nextInt(10) < 7) {
      item.put("a", randomA(rnd));
    }
    if (rnd.nextBoolean()) {
      item.put("x", AttributeValue.fromS("x" + rnd.nextInt(100)));
    }
    if (rnd.nextBoolean()) {
      item.put("bb", randomB(rnd));
    }
    item.put("y", AttributeValue.fromN(Integer.toString(rnd.nextInt(1000))));
    return item;
  }

  static String id(String pk, int sk) {
    return pk + "/" + sk;
  }

  // Protects index contents and order against a reference model after random writes.
  @Test
  void indexesMatchAReferenceModel() {
    String context = "seed " + SEED + " (rerun with -Dtidemark.seed=" + SEED + ")";
    Random rnd = new Random(SEED);
    Map<String, Map<String, AttributeValue>> model = new TreeMap<>();
    for (int op = 0; op < 600; op++) {
      String pk = PKS.get(rnd.nextInt(PKS.size()));
      int sk = rnd.nextInt(12);
      Map<String, AttributeValue> key =
          Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromN(Integer.toString(sk)));
      int kind = rnd.nextInt(10);
      if (kind < 4) {
        Map<String, AttributeValue> item = randomItem(rnd, pk, sk);
        ddb.putItem(r -> r.tableName(T).item(item));
        model.put(id(pk, sk), item);
      } else if (kind < 8) {
        update(rnd, key, model, pk, sk);
      } else if (kind < 9) {
        ddb.deleteItem(r -> r.tableName(T).key(key));
        model.remove(id(pk, sk));
      } else {
        // A refused write changes neither the item nor any index.
        Map<String, AttributeValue> bad = randomItem(rnd, pk, sk);
        bad.put("g", AttributeValue.fromN("1"));
        DynamoDbException e =
            catchThrowableOfType(
                DynamoDbException.class, () -> ddb.putItem(r -> r.tableName(T).item(bad)));
        assertThat(e.awsErrorDetails().errorCode()).as(context).isEqualTo("ValidationException");
      }
      if (op % 200 == 199) {
        verify(model, context + " after op " + op);
      }
    }
  }

  static void update(
      Random rnd,
      Map<String, AttributeValue> key,
      Map<String, Map<String, AttributeValue>> model,
      String pk,
      int sk) {
    List<String> set = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    Map<String, AttributeValue> values = new HashMap<>();
    Map<String, AttributeValue> next = new LinkedHashMap<>(model.getOrDefault(id(pk, sk), key));
    for (String attr : List.of("g", "a", "x", "bb", "y")) {
      int choice = rnd.nextInt(4);
      if (choice == 0) {
        remove.add(attr);
        next.remove(attr);
      } else if (choice == 1) {
        AttributeValue v =
            switch (attr) {
              case "g" -> AttributeValue.fromS(GS.get(rnd.nextInt(GS.size())));
              case "a" -> randomA(rnd);
              case "bb" -> randomB(rnd);
              case "x" -> AttributeValue.fromS("u" + rnd.nextInt(100));
              default -> AttributeValue.fromN(Integer.toString(rnd.nextInt(1000)));
            };
        set.add(attr + " = :" + attr);
        values.put(":" + attr, v);
        next.put(attr, v);
      }
    }
    String expression =
        (set.isEmpty() ? "" : "SET " + String.join(", ", set))
            + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
    if (expression.isBlank()) {
      expression = "REMOVE zz";
    }
    String e = expression.trim();
    ddb.updateItem(
        r ->
            r.tableName(T)
                .key(key)
                .updateExpression(e)
                .expressionAttributeValues(values.isEmpty() ? null : values));
    model.put(id(pk, sk), next);
  }

  static void verify(Map<String, Map<String, AttributeValue>> model, String context) {
    TableDescription t = ddb.describeTable(r -> r.tableName(T)).table();
    for (Index index : INDEXES) {
      List<Map<String, AttributeValue>> all = expected(model, index, null);
      long count =
          index.name().startsWith("lsi")
              ? t.localSecondaryIndexes().get(0).itemCount()
              : gsiOf(t, index.name()).itemCount();
      assertThat(count).as(context + " " + index.name() + " ItemCount").isEqualTo(all.size());
      // Every value of the hash key's domain, so empty index partitions are read too.
      List<AttributeValue> hashes = new ArrayList<>();
      switch (index.hash()) {
        case "pk" -> PKS.forEach(v -> hashes.add(AttributeValue.fromS(v)));
        case "g" -> GS.forEach(v -> hashes.add(AttributeValue.fromS(v)));
        default -> BS.forEach(v -> hashes.add(AttributeValue.fromB(SdkBytes.fromByteArray(v))));
      }
      for (AttributeValue h : hashes) {
        List<Map<String, AttributeValue>> want = expected(model, index, h);
        QueryRequest q =
            QueryRequest.builder()
                .tableName(T)
                .indexName(index.name())
                .keyConditionExpression("#h = :h")
                .expressionAttributeNames(Map.of("#h", index.hash()))
                .expressionAttributeValues(Map.of(":h", h))
                .limit(3)
                .build();
        String what = context + " " + index.name() + " " + h;
        assertThat(queryAll(ddb, q)).as(what).isEqualTo(want);
        List<Map<String, AttributeValue>> reversed = new ArrayList<>(want);
        Collections.reverse(reversed);
        assertThat(queryAll(ddb, q.toBuilder().scanIndexForward(false).limit(4).build()))
            .as(what + " reversed")
            .isEqualTo(reversed);
      }
    }
  }

  /** The entries an index must hold (for one hash value, or all), in DynamoDB's order. */
  static List<Map<String, AttributeValue>> expected(
      Map<String, Map<String, AttributeValue>> model, Index index, AttributeValue hash) {
    List<Map<String, AttributeValue>> out = new ArrayList<>();
    for (Map<String, AttributeValue> item : model.values()) {
      if (!item.containsKey(index.hash())
          || (index.range() != null && !item.containsKey(index.range()))) {
        continue;
      }
      if (hash != null && !item.get(index.hash()).equals(hash)) {
        continue;
      }
      Map<String, AttributeValue> entry = new HashMap<>();
      for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
        String name = e.getKey();
        boolean key =
            name.equals("pk")
                || name.equals("sk")
                || name.equals(index.hash())
                || name.equals(index.range());
        if (index.all() || key || index.carried().contains(name)) {
          entry.put(name, e.getValue());
        }
      }
      out.add(entry);
    }
    Comparator<Map<String, AttributeValue>> order =
        Comparator.comparing(
            (Map<String, AttributeValue> e) -> e.get(index.hash()),
            IndexModelIntegrationTest::compare);
    if (index.range() != null) {
      order = order.thenComparing(e -> e.get(index.range()), IndexModelIntegrationTest::compare);
    }
    order =
        order
            .thenComparing(e -> e.get("pk"), IndexModelIntegrationTest::compare)
            .thenComparing(e -> e.get("sk"), IndexModelIntegrationTest::compare);
    out.sort(order);
    return out;
  }

  /** DynamoDB's order for key values: numbers by value, strings and binaries by unsigned bytes. */
  static int compare(AttributeValue x, AttributeValue y) {
    if (x.n() != null) {
      return new BigDecimal(x.n()).compareTo(new BigDecimal(y.n()));
    }
    byte[] a =
        x.s() != null
            ? x.s().getBytes(java.nio.charset.StandardCharsets.UTF_8)
            : x.b().asByteArray();
    byte[] b =
        y.s() != null
            ? y.s().getBytes(java.nio.charset.StandardCharsets.UTF_8)
            : y.b().asByteArray();
    return Arrays.compareUnsigned(a, b);
  }
}
