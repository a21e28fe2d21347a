package dev.tidemark.it;

import static dev.tidemark.it.Indexed.attr;
import static dev.tidemark.it.Indexed.hash;
import static dev.tidemark.it.Indexed.projection;
import static dev.tidemark.it.Indexed.queryAll;
import static dev.tidemark.it.Indexed.range;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Seeded model test of a multi-attribute GSI (h1 S, h2 N HASH; r1 N, r2 S, r3 B RANGE): random puts
 * (some items missing parts), updates that remove or change parts, and deletes, each mirrored in a
 * plain in-memory map; then random queries (every hash part, a random prefix of range parts, any
 * key comparison on the last, both directions, random Limit) whose results must equal the model's:
 * the items with every part that match, ordered by r1 numerically, r2 by UTF-8 bytes, r3 by
 * unsigned bytes, then the table key. Protects index maintenance, the composite key encoding's
 * order and ranges, and paging together. {@code -Dgsi.model.seed=N} replays one seed.
 */
class MultiAttributeGsiModelTest {
  private static final String[] H1 = {"a", "b"};
  private static final long[] H2 = {1, 2};
  private static final String[] R1 = {"-2", "0", "1", "1.5", "10", "100"};
  private static final String[] R2 = {"a", "ab", "b", "\uFFFD", "\uD83D\uDE00", "b\u0000"};
  private static final byte[][] R3 = {{0}, {0, 1}, {1}, {(byte) 0x7f}, {(byte) 0x80}, {-1}};
  private static final String[] OPS = {"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"};

  private static LiveServer server;
  private static DynamoDbClient ddb;

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void queriesMatchTheModel() {
    long seed = Long.getLong("gsi.model.seed", 17L);
    Random rnd = new Random(seed);
    String table = "model";
    ddb.createTable(
        r ->
            r.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("h1", ScalarAttributeType.S),
                    attr("h2", ScalarAttributeType.N),
                    attr("r1", ScalarAttributeType.N),
                    attr("r2", ScalarAttributeType.S),
                    attr("r3", ScalarAttributeType.B))
                .keySchema(hash("pk"))
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("idx")
                        .keySchema(hash("h1"), hash("h2"), range("r1"), range("r2"), range("r3"))
                        .projection(projection(ProjectionType.ALL))
                        .build()));
    Map<String, Map<String, AttributeValue>> model = new TreeMap<>();
    for (int step = 0; step < 400; step++) {
      String pk = "k" + rnd.nextInt(150);
      int what = rnd.nextInt(10);
      if (what < 6) {
        Map<String, AttributeValue> item = randomItem(rnd, pk);
        ddb.putItem(r -> r.tableName(table).item(item));
        model.put(pk, item);
      } else if (what < 8 && model.containsKey(pk)) {
        String part = List.of("h1", "h2", "r1", "r2", "r3").get(rnd.nextInt(5));
        Map<String, AttributeValue> item = new HashMap<>(model.get(pk));
        if (rnd.nextBoolean()) {
          ddb.updateItem(
              r -> r.tableName(table).key(Map.of("pk", s(pk))).updateExpression("REMOVE " + part));
          item.remove(part);
        } else {
          AttributeValue v = randomPart(rnd, part);
          ddb.updateItem(
              r ->
                  r.tableName(table)
                      .key(Map.of("pk", s(pk)))
                      .updateExpression("SET " + part + " = :v")
                      .expressionAttributeValues(Map.of(":v", v)));
          item.put(part, v);
        }
        model.put(pk, item);
      } else {
        ddb.deleteItem(r -> r.tableName(table).key(Map.of("pk", s(pk))));
        model.remove(pk);
      }
    }
    int nonEmpty = 0;
    int multiPage = 0;
    for (int q = 0; q < 150; q++) {
      int[] shape = checkRandomQuery(rnd, table, model, seed, q);
      nonEmpty += shape[0] > 0 ? 1 : 0;
      multiPage += shape[0] > shape[1] ? 1 : 0;
    }
    System.out.println("model queries: non-empty " + nonEmpty + ", several pages " + multiPage);
    // The random domains are small enough that many queries find items, several over pages.
    assertThat(nonEmpty).isGreaterThan(50);
    assertThat(multiPage).isGreaterThan(20);
    ddb.deleteTable(r -> r.tableName(table));
  }

  /** Runs one random query; answers its result size and Limit. */
  private static int[] checkRandomQuery(
      Random rnd, String table, Map<String, Map<String, AttributeValue>> model, long seed, int q) {
    Map<String, AttributeValue> values = new HashMap<>();
    List<String> parts = new ArrayList<>();
    values.put(":h1", randomPart(rnd, "h1"));
    values.put(":h2", randomPart(rnd, "h2"));
    parts.add("h1 = :h1");
    parts.add("h2 = :h2");
    String[] range = {"r1", "r2", "r3"};
    int k = rnd.nextInt(4);
    List<Condition> conditions = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      String name = range[i];
      String op = i < k - 1 ? "=" : OPS[rnd.nextInt(OPS.length)];
      if (op.equals("begins_with") && name.equals("r1")) {
        op = ">=";
      }
      AttributeValue v = randomPart(rnd, name);
      AttributeValue hi = null;
      values.put(":" + name, v);
      if (op.equals("BETWEEN")) {
        hi = randomPart(rnd, name);
        if (compare(name, v, hi) > 0) {
          AttributeValue t = v;
          v = hi;
          hi = t;
          values.put(":" + name, v);
        }
        values.put(":" + name + "hi", hi);
        parts.add(name + " BETWEEN :" + name + " AND :" + name + "hi");
      } else if (op.equals("begins_with")) {
        parts.add("begins_with(" + name + ", :" + name + ")");
      } else {
        parts.add(name + " " + op + " :" + name);
      }
      conditions.add(new Condition(name, op, v, hi));
    }
    java.util.Collections.shuffle(parts, rnd);
    String expression = String.join(" AND ", parts);
    boolean forward = rnd.nextBoolean();
    int limit = 1 + rnd.nextInt(12);

    List<Map<String, AttributeValue>> want = new ArrayList<>();
    for (Map<String, AttributeValue> item : model.values()) {
      if (indexed(item)
          && item.get("h1").equals(values.get(":h1"))
          && item.get("h2").equals(values.get(":h2"))
          && conditions.stream().allMatch(c -> c.matches(item.get(c.name)))) {
        want.add(item);
      }
    }
    want.sort(ORDER);
    if (!forward) {
      java.util.Collections.reverse(want);
    }
    List<Map<String, AttributeValue>> got =
        queryAll(
            ddb,
            QueryRequest.builder()
                .tableName(table)
                .indexName("idx")
                .keyConditionExpression(expression)
                .expressionAttributeValues(values)
                .scanIndexForward(forward)
                .limit(limit)
                .build());
    assertThat(Indexed.map(got, i -> i.get("pk").s()))
        .as(
            "seed %d query %d: %s %s forward=%s limit=%d",
            seed, q, expression, values, forward, limit)
        .isEqualTo(Indexed.map(want, i -> i.get("pk").s()));
    assertThat(got).isEqualTo(want);
    return new int[] {want.size(), limit};
  }

  private record Condition(String name, String op, AttributeValue v, AttributeValue hi) {
    boolean matches(AttributeValue x) {
      int c = compare(name, x, v);
      return switch (op) {
        case "=" -> c == 0;
        case "<" -> c < 0;
        case "<=" -> c <= 0;
        case ">" -> c > 0;
        case ">=" -> c >= 0;
        case "BETWEEN" -> c >= 0 && compare(name, x, hi) <= 0;
        case "begins_with" -> startsWith(bytes(name, x), bytes(name, v));
        default -> throw new IllegalStateException(op);
      };
    }
  }

  private static final Comparator<Map<String, AttributeValue>> ORDER =
      (a, b) -> {
        for (String name : new String[] {"r1", "r2", "r3"}) {
          int c = compare(name, a.get(name), b.get(name));
          if (c != 0) {
            return c;
          }
        }
        return Arrays.compareUnsigned(
            a.get("pk").s().getBytes(StandardCharsets.UTF_8),
            b.get("pk").s().getBytes(StandardCharsets.UTF_8));
      };

  private static boolean indexed(Map<String, AttributeValue> item) {
    return item.keySet().containsAll(List.of("h1", "h2", "r1", "r2", "r3"));
  }

  private static int compare(String name, AttributeValue a, AttributeValue b) {
    if (name.equals("r1") || name.equals("h2")) {
      return new BigDecimal(a.n()).compareTo(new BigDecimal(b.n()));
    }
    return Arrays.compareUnsigned(bytes(name, a), bytes(name, b));
  }

  private static byte[] bytes(String name, AttributeValue v) {
    return name.equals("r3") ? v.b().asByteArray() : v.s().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean startsWith(byte[] x, byte[] prefix) {
    return x.length >= prefix.length && Arrays.equals(Arrays.copyOf(x, prefix.length), prefix);
  }

  private static Map<String, AttributeValue> randomItem(Random rnd, String pk) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("pk", s(pk));
    item.put("v", s("payload-" + rnd.nextInt(1000)));
    for (String part : List.of("h1", "h2", "r1", "r2", "r3")) {
      if (rnd.nextInt(8) != 0) {
        item.put(part, randomPart(rnd, part));
      }
    }
    return item;
  }

  private static AttributeValue randomPart(Random rnd, String part) {
    return switch (part) {
      case "h1" -> s(H1[rnd.nextInt(H1.length)]);
      case "h2" -> AttributeValue.fromN(Long.toString(H2[rnd.nextInt(H2.length)]));
      case "r1" -> AttributeValue.fromN(R1[rnd.nextInt(R1.length)]);
      case "r2" -> s(R2[rnd.nextInt(R2.length)]);
      case "r3" -> AttributeValue.fromB(SdkBytes.fromByteArray(R3[rnd.nextInt(R3.length)]));
      default -> throw new IllegalArgumentException(part);
    };
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }
}
