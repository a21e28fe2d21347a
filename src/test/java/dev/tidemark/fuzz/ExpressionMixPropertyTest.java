package dev.tidemark.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.cli.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.RandomGenerator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * A seeded property over DynamoDB's expression language and its legacy parameters: random
 * condition, filter, key-condition, update and projection expressions (well-formed, and broken by
 * token edits), random placeholder maps, and random mixes of legacy and expression parameters, sent
 * as Query, Scan, GetItem, PutItem, UpdateItem and DeleteItem to a live server. Whatever the
 * request, the answer is a 200 with a JSON object or a 400 whose {@code __type} is one of
 * DynamoDB's client errors: never a 500, never a dropped connection or a hang.
 *
 * <p>The generators are jqwik arbitraries driven by a fixed seed, so CI runs the same requests
 * every time. More locally: {@code -Dexprmix.tries=20000 -Dexprmix.seed=<any long>}; a failure
 * names the seed and the try, which rebuild the request exactly.
 */
class ExpressionMixPropertyTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final long DEFAULT_SEED = 0x17_2026L;
  private static final int DEFAULT_TRIES = 600;

  /** Client errors DynamoDB may answer these requests with. */
  private static final Set<String> CLIENT_ERRORS =
      Set.of(
          "ValidationException",
          "SerializationException",
          "ConditionalCheckFailedException",
          "ResourceNotFoundException");

  private static final List<String> NAMES =
      List.of(
          "pk",
          "sk",
          "g",
          "a",
          "b",
          "colour",
          "#n",
          "#k",
          "#s",
          "#undefined",
          "status",
          "a.b",
          "a[0]",
          "a[1].b",
          "#n.c",
          "l[2]",
          "1x",
          "size",
          "#n[0]");
  private static final List<String> VALUES =
      List.of(":s", ":n", ":l", ":m", ":t", ":undefined", ":s2");
  private static final List<String> COMPARATORS = List.of("=", "<>", "<", "<=", ">", ">=");
  private static final List<String> BREAKERS =
      List.of(
          "(",
          ")",
          "AND",
          "OR",
          "NOT",
          ",",
          "=",
          "BETWEEN",
          "IN",
          "#",
          ":",
          "::",
          "[",
          "]",
          ".",
          "\"",
          "size(",
          "SET",
          "REMOVE",
          "ADD",
          "DELETE",
          "+",
          "-",
          "[-1]",
          "[99999999999]",
          "\u0000",
          "ø",
          "  ",
          "attribute_exists",
          "begins_with(pk)");

  /** One request: an operation and its JSON body. */
  record Req(String operation, ObjectNode body) {
    @Override
    public String toString() {
      return operation + " " + body;
    }
  }

  // Protects the wire contract for every expression and parameter mix a client can send: a
  // DynamoDB 400 or a success, never a 500, a dropped connection or a hang.
  // A jqwik example rather than a property: generators need jqwik's thread, while the seed and the
  // number of tries are chosen here (jqwik fixes them per annotation), and the server starts once.
  @Example
  void everyRefusalIsADynamoDbClientError() throws Exception {
    Path dir = Files.createTempDirectory("tidemark-exprmix");
    long seed = Long.getLong("exprmix.seed", DEFAULT_SEED);
    int tries = Integer.getInteger("exprmix.tries", DEFAULT_TRIES);
    Bootstrap.Running running =
        Bootstrap.start(
            new ServerConfig(
                "127.0.0.1",
                0,
                dir.resolve("data"),
                true,
                "us-east-1",
                ServerConfig.Durability.SYNC,
                "000000000000",
                dir.resolve("backups"),
                null));
    try (running;
        DynamoDbClient ddb =
            DynamoDbClient.builder()
                .endpointOverride(URI.create(running.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        WireClient wire = new WireClient(URI.create(running.endpoint()).getPort(), 30_000)) {
      fixtures(ddb);
      RandomGenerator<Req> generator = requests().generator(1000);
      Random random = new Random(seed);
      Map<String, Integer> outcomes = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < tries && failures.size() < 10; i++) {
        Req req = generator.next(random).value();
        String problem = check(wire, req, outcomes);
        if (problem != null) {
          failures.add("seed " + seed + " try " + i + ": " + problem + "\n  " + abbreviate(req));
        }
      }
      System.out.println(
          "ExpressionMixPropertyTest seed=" + seed + " tries=" + tries + " " + outcomes);
      assertThat(failures).isEmpty();
      // Both outcomes occurred: the generator reaches past validation, not only into refusals.
      assertThat(outcomes.keySet()).anyMatch(k -> k.startsWith("200"));
      assertThat(outcomes.keySet()).anyMatch(k -> k.startsWith("400"));
      // The server still serves.
      assertThat(ddb.describeTable(r -> r.tableName("mix")).table().tableName()).isEqualTo("mix");
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String check(WireClient wire, Req req, Map<String, Integer> outcomes) {
    byte[] body = req.body().toString().getBytes(StandardCharsets.UTF_8);
    WireClient.Reply reply;
    try {
      reply =
          wire.exchange(
              Mutator.post(req.operation(), "DynamoDB_20120810." + req.operation(), body).head(),
              body,
              false);
    } catch (WireClient.HangException e) {
      return "HANG: " + e.getMessage();
    } catch (IOException e) {
      return "DROPPED CONNECTION: " + e;
    }
    JsonNode answer;
    try {
      answer = RequestCorpus.JSON.readTree(reply.body());
    } catch (IOException e) {
      return "status " + reply.status() + " with a body that is not JSON";
    }
    if (reply.status() == 200) {
      outcomes.merge("200", 1, Integer::sum);
      return answer != null && answer.isObject() ? null : "200 without a JSON object";
    }
    String type = answer == null ? "" : answer.path("__type").asText("");
    String shortType = type.substring(type.indexOf('#') + 1);
    outcomes.merge(reply.status() + " " + shortType, 1, Integer::sum);
    if (reply.status() != 400
        || !type.startsWith("com.amazonaws.dynamodb.v20120810#")
        || !CLIENT_ERRORS.contains(shortType)) {
      return "status " + reply.status() + " " + reply.text();
    }
    return answer.path("message").asText("").isEmpty() ? "400 without a message" : null;
  }

  private static String abbreviate(Req req) {
    String s = req.toString();
    return s.length() > 600 ? s.substring(0, 600) + "..." : s;
  }

  private static void fixtures(DynamoDbClient ddb) {
    ddb.createTable(
        r ->
            r.tableName("mix")
                .attributeDefinitions(
                    attr("pk", ScalarAttributeType.S),
                    attr("sk", ScalarAttributeType.N),
                    attr("g", ScalarAttributeType.S))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("by_g")
                        .keySchema(key("g", KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.ALL))
                        .build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
    for (int i = 0; i < 5; i++) {
      int n = i;
      ddb.putItem(
          r ->
              r.tableName("mix")
                  .item(
                      Map.of(
                          "pk", AttributeValue.fromS("x"),
                          "sk", AttributeValue.fromN(Integer.toString(n)),
                          "g", AttributeValue.fromS("g" + (n % 2)),
                          "a", AttributeValue.fromL(List.of(AttributeValue.fromN("1"))),
                          "colour", AttributeValue.fromS(n % 2 == 0 ? "red" : "blue"))));
    }
  }

  private static AttributeDefinition attr(String name, ScalarAttributeType type) {
    return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }

  // ---- generators ----------------------------------------------------------------------------

  private static Arbitrary<String> operand() {
    return Arbitraries.oneOf(
        Arbitraries.of(NAMES),
        Arbitraries.of(VALUES),
        Arbitraries.of(NAMES).map(n -> "size(" + n + ")"));
  }

  private static Arbitrary<String> simpleCondition() {
    Arbitrary<String> compare =
        Combinators.combine(operand(), Arbitraries.of(COMPARATORS), operand())
            .as((l, op, r) -> l + " " + op + " " + r);
    Arbitrary<String> between =
        Combinators.combine(operand(), operand(), operand())
            .as((v, lo, hi) -> v + " BETWEEN " + lo + " AND " + hi);
    Arbitrary<String> in =
        Combinators.combine(operand(), operand(), operand())
            .as((v, x, y) -> v + " IN (" + x + ", " + y + ")");
    Arbitrary<String> function =
        Combinators.combine(
                Arbitraries.of(
                    "attribute_exists",
                    "attribute_not_exists",
                    "attribute_type",
                    "begins_with",
                    "contains",
                    "size",
                    "no_such_function"),
                Arbitraries.of(NAMES),
                Arbitraries.of(VALUES),
                Arbitraries.integers().between(1, 2))
            .as((f, p, v, arity) -> f + "(" + p + (arity == 2 ? ", " + v : "") + ")");
    return Arbitraries.oneOf(compare, between, in, function);
  }

  private static Arbitrary<String> condition(int depth) {
    if (depth == 0) {
      return simpleCondition();
    }
    Arbitrary<String> sub = Arbitraries.lazy(() -> condition(depth - 1));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, simpleCondition()),
        net.jqwik.api.Tuple.of(
            2,
            Combinators.combine(sub, Arbitraries.of("AND", "OR"), sub)
                .as((l, op, r) -> l + " " + op + " " + r)),
        net.jqwik.api.Tuple.of(1, sub.map(c -> "NOT " + c)),
        net.jqwik.api.Tuple.of(1, sub.map(c -> "(" + c + ")")));
  }

  private static Arbitrary<String> update() {
    Arbitrary<String> setValue =
        Arbitraries.oneOf(
            operand(),
            Combinators.combine(operand(), Arbitraries.of("+", "-"), operand())
                .as((l, op, r) -> l + " " + op + " " + r),
            Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of(VALUES))
                .as((p, v) -> "list_append(" + p + ", " + v + ")"),
            Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of(VALUES))
                .as((p, v) -> "if_not_exists(" + p + ", " + v + ")"));
    Arbitrary<String> set =
        Combinators.combine(Arbitraries.of(NAMES), setValue)
            .as((p, v) -> p + " = " + v)
            .list()
            .ofMinSize(1)
            .ofMaxSize(3)
            .map(l -> "SET " + String.join(", ", l));
    Arbitrary<String> remove =
        Arbitraries.of(NAMES)
            .list()
            .ofMinSize(1)
            .ofMaxSize(3)
            .map(l -> "REMOVE " + String.join(", ", l));
    Arbitrary<String> addOrDelete =
        Combinators.combine(
                Arbitraries.of("ADD", "DELETE"), Arbitraries.of(NAMES), Arbitraries.of(VALUES))
            .as((k, p, v) -> k + " " + p + " " + v);
    return Arbitraries.oneOf(set, remove, addOrDelete)
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(l -> String.join(" ", l));
  }

  private static Arbitrary<String> projection() {
    return Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(", ", l));
  }

  private static Arbitrary<String> keyCondition() {
    Arbitrary<String> hash =
        Combinators.combine(Arbitraries.of("pk", "#k", "g", "sk", "a"), Arbitraries.of(VALUES))
            .as((k, v) -> k + " = " + v);
    Arbitrary<String> range =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Combinators.combine(Arbitraries.of(COMPARATORS), Arbitraries.of(VALUES))
                .as((op, v) -> " AND sk " + op + " " + v),
            Arbitraries.of(VALUES).map(v -> " AND begins_with(sk, " + v + ")"),
            Arbitraries.of(VALUES).map(v -> " AND sk BETWEEN :n AND " + v),
            condition(1).map(c -> " AND " + c));
    return Combinators.combine(hash, range).as((h, r) -> h + r);
  }

  /** The text as generated, or broken by a few token edits. */
  private static Arbitrary<String> maybeBroken(Arbitrary<String> text) {
    Arbitrary<String> broken =
        Combinators.combine(
                text,
                Arbitraries.of(BREAKERS),
                Arbitraries.integers().between(0, 3),
                Arbitraries.doubles().between(0, 1))
            .as(
                (t, token, how, where) -> {
                  int at = (int) (where * t.length());
                  return switch (how) {
                    case 0 -> t.substring(0, at) + " " + token + " " + t.substring(at);
                    case 1 -> t.substring(0, at);
                    case 2 -> t.substring(0, at) + t.substring(Math.min(t.length(), at + 2));
                    default -> token + t;
                  };
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, text), net.jqwik.api.Tuple.of(2, broken));
  }

  private static Arbitrary<JsonNode> attributeValues() {
    Map<String, JsonNode> all =
        Map.of(
            ":s", F.objectNode().put("S", "x"),
            ":s2", F.objectNode().put("S", "red"),
            ":n", F.objectNode().put("N", "1"),
            ":l", F.objectNode().set("L", F.arrayNode().add(F.objectNode().put("N", "2"))),
            ":m", F.objectNode().set("M", F.objectNode().set("c", F.objectNode().put("S", "y"))),
            ":t", F.objectNode().put("S", "N"),
            ":bad", F.objectNode().put("N", "not a number"));
    return Arbitraries.subsetOf(all.keySet())
        .map(
            keys -> {
              ObjectNode o = F.objectNode();
              keys.forEach(k -> o.set(k, all.get(k)));
              return o;
            });
  }

  private static Arbitrary<JsonNode> attributeNames() {
    Map<String, String> all =
        Map.of("#n", "a", "#k", "pk", "#s", "status", "#e", "", "#unused", "zzz");
    return Arbitraries.subsetOf(all.keySet())
        .map(
            keys -> {
              ObjectNode o = F.objectNode();
              keys.forEach(k -> o.put(k, all.get(k)));
              return o;
            });
  }

  private static JsonNode legacyCondition(String op, String value) {
    ObjectNode c = F.objectNode().put("ComparisonOperator", op);
    if (value != null) {
      c.set("AttributeValueList", F.arrayNode().add(F.objectNode().put("S", value)));
    }
    return c;
  }

  /** Legacy parameters a request may carry, each present or not. */
  private static Arbitrary<ObjectNode> legacy() {
    Map<String, JsonNode> all =
        Map.of(
            "KeyConditions", F.objectNode().set("pk", legacyCondition("EQ", "x")),
            "QueryFilter", F.objectNode().set("colour", legacyCondition("EQ", "red")),
            "ScanFilter", F.objectNode().set("sk", legacyCondition("NOT_NULL", null)),
            "AttributesToGet", F.arrayNode().add("colour").add("pk"),
            "Expected", F.objectNode().set("colour", F.objectNode().put("Exists", false)),
            "AttributeUpdates",
                F.objectNode()
                    .set(
                        "colour",
                        F.objectNode()
                            .put("Action", "PUT")
                            .set("Value", F.objectNode().put("S", "green"))),
            "ConditionalOperator", F.textNode("OR"),
            "Select", F.textNode("COUNT"));
    Arbitrary<ObjectNode> some =
        Arbitraries.subsetOf(all.keySet())
            .ofMaxSize(2)
            .map(
                keys -> {
                  ObjectNode o = F.objectNode();
                  keys.forEach(k -> o.set(k, all.get(k)));
                  return o;
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, Arbitraries.just(F.objectNode())),
        net.jqwik.api.Tuple.of(1, some));
  }

  private static Arbitrary<Req> requests() {
    Arbitrary<String> ops =
        Arbitraries.of("Query", "Scan", "GetItem", "PutItem", "UpdateItem", "DeleteItem");
    Arbitrary<String> cond = maybeBroken(condition(2));
    Arbitrary<String> upd = maybeBroken(update());
    Arbitrary<String> proj = maybeBroken(projection());
    Arbitrary<String> key = maybeBroken(keyCondition());
    Arbitrary<Integer> mask = Arbitraries.integers().between(0, 15);
    Arbitrary<String> select =
        Arbitraries.of(
            "",
            "ALL_ATTRIBUTES",
            "ALL_PROJECTED_ATTRIBUTES",
            "SPECIFIC_ATTRIBUTES",
            "COUNT",
            "NOPE");
    Arbitrary<String[]> texts =
        Combinators.combine(cond, upd, proj, key, select)
            .as((c, u, p, k, s) -> new String[] {c, u, p, k, s});
    return Combinators.combine(
            ops,
            texts,
            mask,
            attributeNames(),
            attributeValues(),
            legacy(),
            Arbitraries.of(true, false))
        .as(
            (op, t, m, names, values, legacy, index) -> {
              ObjectNode body = F.objectNode().put("TableName", "mix");
              ObjectNode item = F.objectNode();
              item.set("pk", F.objectNode().put("S", "x"));
              item.set("sk", F.objectNode().put("N", "1"));
              switch (op) {
                case "Query" -> {
                  body.put("KeyConditionExpression", t[3]);
                  if ((m & 1) != 0) {
                    body.put("FilterExpression", t[0]);
                  }
                  if (index) {
                    body.put("IndexName", "by_g");
                  }
                }
                case "Scan" -> {
                  if ((m & 1) != 0) {
                    body.put("FilterExpression", t[0]);
                  }
                  if (index) {
                    body.put("IndexName", "by_g");
                  }
                }
                case "PutItem" -> {
                  item.set("colour", F.objectNode().put("S", "red"));
                  body.set("Item", item);
                  if ((m & 1) != 0) {
                    body.put("ConditionExpression", t[0]);
                  }
                }
                case "UpdateItem" -> {
                  body.set("Key", item);
                  if ((m & 4) != 0) {
                    body.put("UpdateExpression", t[1]);
                  }
                  if ((m & 1) != 0) {
                    body.put("ConditionExpression", t[0]);
                  }
                }
                default -> {
                  body.set("Key", item);
                  if ((m & 1) != 0 && op.equals("DeleteItem")) {
                    body.put("ConditionExpression", t[0]);
                  }
                }
              }
              if ((m & 2) != 0 && !op.equals("PutItem") && !op.equals("DeleteItem")) {
                body.put("ProjectionExpression", t[2]);
              }
              if ((m & 8) != 0) {
                body.set("ExpressionAttributeNames", names);
              }
              if ((m & 4) != 0 || (m & 1) != 0 || op.equals("Query")) {
                body.set("ExpressionAttributeValues", values);
              }
              if (!t[4].isEmpty() && (op.equals("Query") || op.equals("Scan"))) {
                body.put("Select", t[4]);
              }
              legacy.fieldNames().forEachRemaining(f -> body.set(f, legacy.get(f)));
              return new Req(op, body);
            });
  }
}
