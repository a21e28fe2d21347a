package dev.tidemark.it;

import static dev.tidemark.it.Indexed.attr;
import static dev.tidemark.it.Indexed.awaitActive;
import static dev.tidemark.it.Indexed.gsi;
import static dev.tidemark.it.Indexed.hash;
import static dev.tidemark.it.Indexed.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ComparisonOperator;
import software.amazon.awssdk.services.dynamodb.model.Condition;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * DynamoDB's documented limits and request rules (issue 17 part 5) through the SDK, or raw HTTP
 * where the SDK would not send the request: transaction size, key and index-key value sizes,
 * attribute name lengths, filters on key attributes, Select and AttributesToGet rules, number and
 * base64 syntax, malformed attribute values, schema checks. Messages are asserted verbatim; where
 * docs/conformance.md says a text is unconfirmed, the type and the refusal are DynamoDB's and the
 * words are ours.
 */
class LimitsIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LiveServer server;
  private static DynamoDbClient ddb;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = LiveServer.inMemory();
    ddb = server.client;
    ddb.createTable(
        ControlPlaneIntegrationTest.table("lim")
            .attributeDefinitions(
                attr("pk", ScalarAttributeType.S),
                attr("sk", ScalarAttributeType.N),
                attr("g", ScalarAttributeType.S),
                attr("gr", ScalarAttributeType.S))
            .globalSecondaryIndexes(
                gsi(
                    "by_g",
                    "g",
                    "gr",
                    software.amazon.awssdk.services.dynamodb.model.ProjectionType.ALL))
            .build());
    ddb.createTable(
        r ->
            r.tableName("big")
                .attributeDefinitions(attr("id", ScalarAttributeType.S))
                .keySchema(hash("id"))
                .billingMode(BillingMode.PAY_PER_REQUEST));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String refusal(Runnable call) {
    DynamoDbException e = catchThrowableOfType(DynamoDbException.class, call::run);
    assertThat(e).as("refused").isNotNull();
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    return e.awsErrorDetails().errorMessage();
  }

  private static Map<String, AttributeValue> item(String pk, long sk, Object... more) {
    Map<String, AttributeValue> m = new HashMap<>();
    m.put("pk", s(pk));
    m.put("sk", AttributeValue.fromN(Long.toString(sk)));
    for (int i = 0; i < more.length; i += 2) {
      m.put((String) more[i], s((String) more[i + 1]));
    }
    return m;
  }

  private static Map<String, AttributeValue> key(String pk, long sk) {
    return item(pk, sk);
  }

  /** A raw request, for what the SDK will not send; returns status, type suffix and message. */
  private static String[] raw(String operation, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.running.endpoint()))
                .header("X-Amz-Target", "DynamoDB_20120810." + operation)
                .header("Content-Type", "application/x-amz-json-1.0")
                .header(
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request,"
                        + " SignedHeaders=host, Signature=00")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode n = JSON.readTree(r.body());
    String type = n.path("__type").asText("");
    return new String[] {
      Integer.toString(r.statusCode()),
      type.substring(type.indexOf('#') + 1),
      n.path("message").asText(n.path("Message").asText(""))
    };
  }

  private static String putWith(String attributeJson) throws Exception {
    String[] r =
        raw(
            "PutItem",
            "{\"TableName\":\"lim\",\"Item\":{\"pk\":{\"S\":\"raw\"},\"sk\":{\"N\":\"1\"},\"a\":"
                + attributeJson
                + "}}");
    return r[0] + " " + r[1] + ": " + r[2];
  }

  private static Map<String, AttributeValue> withNumber(String n) {
    Map<String, AttributeValue> m = item("num", 2);
    m.put("v", AttributeValue.fromN(n));
    return m;
  }

  private static String payload(int bytes) {
    return "x".repeat(bytes);
  }

  // Protects the 4 MB aggregate limit of TransactWriteItems: refused whole as a
  // ValidationException before anything runs (conformance suites observe the type on AWS; the
  // words are unconfirmed), while 3.9 MB of items commits.
  @Test
  void transactWriteOverFourMegabytesIsRefused() {
    List<TransactWriteItem> over = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      Map<String, AttributeValue> it = Map.of("id", s("over" + i), "p", s(payload(390_000)));
      over.add(
          TransactWriteItem.builder().put(Put.builder().tableName("big").item(it).build()).build());
    }
    assertThat(refusal(() -> ddb.transactWriteItems(r -> r.transactItems(over))))
        .isEqualTo("Transaction request cannot be larger than 4 MB");
    assertThat(ddb.getItem(r -> r.tableName("big").key(Map.of("id", s("over0")))).hasItem())
        .isFalse();

    ddb.transactWriteItems(r -> r.transactItems(over.subList(0, 10)));
    assertThat(ddb.getItem(r -> r.tableName("big").key(Map.of("id", s("over9")))).hasItem())
        .isTrue();

    // TransactGetItems: the items read count; 11 of them pass 4 MB.
    ddb.putItem(r -> r.tableName("big").item(Map.of("id", s("over10"), "p", s(payload(390_000)))));
    List<TransactGetItem> gets = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      Map<String, AttributeValue> k = Map.of("id", s("over" + i));
      gets.add(
          TransactGetItem.builder().get(Get.builder().tableName("big").key(k).build()).build());
    }
    assertThat(refusal(() -> ddb.transactGetItems(r -> r.transactItems(gets))))
        .isEqualTo("Transaction request cannot be larger than 4 MB");
    assertThat(ddb.transactGetItems(r -> r.transactItems(gets.subList(0, 10))).responses())
        .hasSize(10);
  }

  // Protects "filters may not name key attributes" on Query: the table's keys (also through a
  // placeholder), the legacy QueryFilter's wording, an index's keys; non-key filters and Scan
  // filters on keys stay allowed.
  @Test
  void queryFiltersMayNotNameKeyAttributes() {
    ddb.putItem(r -> r.tableName("lim").item(item("f", 1, "colour", "red")));
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        q ->
                            q.tableName("lim")
                                .keyConditionExpression("pk = :p")
                                .filterExpression("#s > :n")
                                .expressionAttributeNames(Map.of("#s", "sk"))
                                .expressionAttributeValues(
                                    Map.of(":p", s("f"), ":n", AttributeValue.fromN("0"))))))
        .isEqualTo(
            "Filter Expression can only contain non-primary key attributes: Primary key"
                + " attribute: sk");
    Condition eq =
        Condition.builder()
            .comparisonOperator(ComparisonOperator.EQ)
            .attributeValueList(s("f"))
            .build();
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        q ->
                            q.tableName("lim")
                                .keyConditions(Map.of("pk", eq))
                                .queryFilter(Map.of("pk", eq)))))
        .isEqualTo(
            "QueryFilter can only contain non-primary key attributes: Primary key attribute: pk");
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        q ->
                            q.tableName("lim")
                                .indexName("by_g")
                                .keyConditionExpression("g = :g")
                                .filterExpression("gr = :g")
                                .expressionAttributeValues(Map.of(":g", s("x"))))))
        .isEqualTo(
            "Filter Expression can only contain non-primary key attributes: Primary key"
                + " attribute: gr");
    assertThat(
            ddb.query(
                    q ->
                        q.tableName("lim")
                            .keyConditionExpression("pk = :p")
                            .filterExpression("colour = :c")
                            .expressionAttributeValues(Map.of(":p", s("f"), ":c", s("red"))))
                .count())
        .isEqualTo(1);
    assertThat(
            ddb.scan(
                    q ->
                        q.tableName("lim")
                            .filterExpression("pk = :p")
                            .expressionAttributeValues(Map.of(":p", s("f"))))
                .count())
        .isEqualTo(1);
  }

  // Protects index key value limits (2048 bytes partition, 1024 sort) with DynamoDB's observed
  // message, the write refused whole; and a backfill that leaves such items out of a new index.
  @Test
  void indexKeyValuesAreLimitedLikeTableKeys() throws Exception {
    assertThat(
            refusal(
                () ->
                    ddb.putItem(
                        r ->
                            r.tableName("lim").item(item("ik", 1, "g", payload(2049), "gr", "r")))))
        .isEqualTo(
            "One or more parameter values were invalid: Size limit exceeded for Index Key g Actual"
                + " Size: 2049 bytes Max Size: 2048 bytes IndexName: by_g");
    assertThat(
            refusal(
                () ->
                    ddb.putItem(
                        r ->
                            r.tableName("lim").item(item("ik", 1, "g", "g", "gr", payload(1025))))))
        .isEqualTo(
            "One or more parameter values were invalid: Size limit exceeded for Index Key gr"
                + " Actual Size: 1025 bytes Max Size: 1024 bytes IndexName: by_g");
    assertThat(ddb.getItem(r -> r.tableName("lim").key(key("ik", 1))).hasItem()).isFalse();
    ddb.putItem(r -> r.tableName("lim").item(item("ik", 3, "g", "g", "gr", "r")));
    assertThat(
            refusal(
                () ->
                    ddb.updateItem(
                        r ->
                            r.tableName("lim")
                                .key(key("ik", 3))
                                .updateExpression("SET g = :g")
                                .expressionAttributeValues(Map.of(":g", s(payload(2049)))))))
        .isEqualTo(
            "One or more parameter values were invalid: Size limit exceeded for Index Key g Actual"
                + " Size: 2049 bytes Max Size: 2048 bytes IndexName: by_g");
    assertThat(ddb.getItem(r -> r.tableName("lim").key(key("ik", 3))).item().get("g").s())
        .isEqualTo("g");
    ddb.putItem(
        r -> r.tableName("lim").item(item("ik", 2, "g", payload(2048), "gr", payload(1024))));

    // Table keys: the messages DynamoDB gives for its own keys.
    assertThat(refusal(() -> ddb.getItem(r -> r.tableName("lim").key(key(payload(2049), 1)))))
        .isEqualTo(
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum"
                + " size limit of2048 bytes");

    // Backfill: an item whose value is too long for the new index's key is not indexed.
    ddb.putItem(r -> r.tableName("big").item(Map.of("id", s("long"), "h", s(payload(3000)))));
    ddb.putItem(r -> r.tableName("big").item(Map.of("id", s("short"), "h", s("ok"))));
    ddb.updateTable(
        r ->
            r.tableName("big")
                .attributeDefinitions(attr("h", ScalarAttributeType.S))
                .globalSecondaryIndexUpdates(
                    GlobalSecondaryIndexUpdate.builder()
                        .create(
                            c ->
                                c.indexName("by_h")
                                    .keySchema(hash("h"))
                                    .projection(p -> p.projectionType("KEYS_ONLY")))
                        .build()));
    awaitActive(ddb, "big", "by_h");
    assertThat(
            ddb.scan(r -> r.tableName("big").indexName("by_h")).items().stream()
                .map(i -> i.get("id").s()))
        .containsExactly("short");
  }

  // Protects name limits: key attribute names up to 255 characters, other attribute names up to
  // 65535 bytes (in items, ExpressionAttributeNames and AttributesToGet); texts unconfirmed.
  @Test
  void attributeNameLengthsAreLimited() {
    String key256 = "k".repeat(256);
    assertThat(
            refusal(
                () ->
                    ddb.createTable(
                        r ->
                            r.tableName("names")
                                .attributeDefinitions(attr(key256, ScalarAttributeType.S))
                                .keySchema(hash(key256))
                                .billingMode(BillingMode.PAY_PER_REQUEST))))
        .startsWith("1 validation error")
        .contains(
            "failed to satisfy constraint: Member must have length less than or equal to 255");
    String key255 = "k".repeat(255);
    ddb.createTable(
        r ->
            r.tableName("names")
                .attributeDefinitions(attr(key255, ScalarAttributeType.S))
                .keySchema(hash(key255))
                .billingMode(BillingMode.PAY_PER_REQUEST));

    String longest = "a".repeat(65_535);
    String tooLong = "a".repeat(65_536);
    ddb.putItem(r -> r.tableName("lim").item(item("n", 1, longest, "fits")));
    assertThat(
            ddb.getItem(r -> r.tableName("lim").key(key("n", 1)).attributesToGet(longest)).item())
        .containsKey(longest);
    String expected =
        "One or more parameter values were invalid: Attribute name exceeds the maximum allowed"
            + " size of 65535 bytes";
    assertThat(refusal(() -> ddb.putItem(r -> r.tableName("lim").item(item("n", 2, tooLong, "x")))))
        .isEqualTo(expected);
    assertThat(
            refusal(
                () ->
                    ddb.getItem(
                        r ->
                            r.tableName("lim")
                                .key(key("n", 1))
                                .projectionExpression("#a")
                                .expressionAttributeNames(Map.of("#a", tooLong)))))
        .isEqualTo(expected);
    assertThat(
            refusal(
                () ->
                    ddb.getItem(r -> r.tableName("lim").key(key("n", 1)).attributesToGet(tooLong))))
        .isEqualTo(expected);
    assertThat(ddb.getItem(r -> r.tableName("lim").key(key("n", 2))).hasItem()).isFalse();
  }

  // Protects the expression-parameter limits: 4 KB per expression string (DynamoDB's text), at
  // most 100 IN operands (DynamoDB's text), placeholders up to 255 bytes and 2 MB of names and
  // values in all (texts unconfirmed).
  @Test
  void expressionParametersAreLimited() {
    String projection = String.join(", ", java.util.Collections.nCopies(1000, "abcd"));
    assertThat(
            refusal(
                () ->
                    ddb.getItem(
                        r -> r.tableName("lim").key(key("x", 1)).projectionExpression(projection))))
        .isEqualTo(
            "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;"
                + " expression size: "
                + projection.length());
    String in = String.join(", ", java.util.Collections.nCopies(101, ":v"));
    assertThat(
            refusal(
                () ->
                    ddb.putItem(
                        r ->
                            r.tableName("lim")
                                .item(item("x", 1))
                                .conditionExpression("colour IN (" + in + ")")
                                .expressionAttributeValues(Map.of(":v", s("red"))))))
        .isEqualTo(
            "Invalid ConditionExpression: The IN operator is provided with too many operands;"
                + " number of operands: 101");

    String name255 = "#" + "n".repeat(254);
    String name256 = name255 + "n";
    ddb.getItem(
        r ->
            r.tableName("lim")
                .key(key("x", 1))
                .projectionExpression(name255)
                .expressionAttributeNames(Map.of(name255, "colour")));
    assertThat(
            refusal(
                () ->
                    ddb.getItem(
                        r ->
                            r.tableName("lim")
                                .key(key("x", 1))
                                .projectionExpression(name256)
                                .expressionAttributeNames(Map.of(name256, "colour")))))
        .isEqualTo(
            "ExpressionAttributeNames contains invalid key: the key exceeds the maximum allowed"
                + " length of 255 bytes; key: "
                + name256);
    String value256 = ":" + "v".repeat(255);
    assertThat(
            refusal(
                () ->
                    ddb.putItem(
                        r ->
                            r.tableName("lim")
                                .item(item("x", 1))
                                .conditionExpression("colour <> " + value256)
                                .expressionAttributeValues(Map.of(value256, s("red"))))))
        .startsWith("ExpressionAttributeValues contains invalid key: the key exceeds");

    Map<String, AttributeValue> big = new HashMap<>();
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      big.put(":v" + i, s(payload(390_000)));
      terms.add("colour <> :v" + i);
    }
    assertThat(
            refusal(
                () ->
                    ddb.putItem(
                        r ->
                            r.tableName("lim")
                                .item(item("x", 3))
                                .conditionExpression(String.join(" AND ", terms))
                                .expressionAttributeValues(big))))
        .startsWith(
            "ExpressionAttributeNames and ExpressionAttributeValues together exceed the maximum"
                + " allowed size of 2 MB");
    assertThat(ddb.getItem(r -> r.tableName("lim").key(key("x", 3))).hasItem()).isFalse();
  }

  // Protects Select's combinations and AttributesToGet's minimum length, DynamoDB's texts.
  @Test
  void selectAndAttributesToGetRules() {
    assertThat(
            refusal(
                () ->
                    ddb.query(
                        q ->
                            q.tableName("lim")
                                .keyConditionExpression("pk = :p")
                                .expressionAttributeValues(Map.of(":p", s("x")))
                                .select(Select.SPECIFIC_ATTRIBUTES))))
        .isEqualTo("SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet");
    assertThat(
            refusal(
                () -> ddb.scan(q -> q.tableName("lim").select(Select.ALL_PROJECTED_ATTRIBUTES))))
        .isEqualTo("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    assertThat(
            refusal(
                () ->
                    ddb.scan(
                        q -> q.tableName("lim").select(Select.COUNT).projectionExpression("pk"))))
        .isEqualTo(
            "Cannot specify the ProjectionExpression or AttributesToGet when choosing to get COUNT");
    assertThat(
            refusal(
                () ->
                    ddb.scan(
                        q ->
                            q.tableName("lim")
                                .select(Select.ALL_ATTRIBUTES)
                                .attributesToGet("pk"))))
        .isEqualTo(
            "Cannot specify the ProjectionExpression or AttributesToGet when choosing to get"
                + " ALL_ATTRIBUTES");
    String empty =
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy"
            + " constraint: Member must have length greater than or equal to 1";
    assertThat(
            refusal(
                () ->
                    ddb.getItem(
                        r -> r.tableName("lim").key(key("x", 1)).attributesToGet(List.of()))))
        .isEqualTo(empty);
    assertThat(refusal(() -> ddb.scan(r -> r.tableName("lim").attributesToGet(List.of()))))
        .isEqualTo(empty);
  }

  // Protects number syntax and range as DynamoDB reads N (ScyllaDB's suite, run against AWS, lists
  // what DynamoDB accepts and refuses): signs, leading zeros and bare fractions are numbers;
  // spaces,
  // NaN and Infinity are not; 38 digits, 1E-130..<1E126.
  @Test
  void numbersAreReadAsDynamoDbReadsThem() {
    for (String ok : List.of("+3", ".123", "0001.23", "1e+5", "0e1000", "-17.4E37", "1E-130")) {
      ddb.putItem(
          r -> r.tableName("lim").item(Map.of("pk", s("num"), "sk", AttributeValue.fromN(ok))));
    }
    assertThat(
            ddb.getItem(
                    r ->
                        r.tableName("lim")
                            .key(Map.of("pk", s("num"), "sk", AttributeValue.fromN("1.23"))))
                .item()
                .get("sk")
                .n())
        .isEqualTo("1.23");
    for (String bad : List.of(" 1", "1 ", "NaN", "Infinity", "-dog", "1e", "")) {
      assertThat(refusal(() -> ddb.putItem(r -> r.tableName("lim").item(withNumber(bad)))))
          .isEqualTo("The parameter cannot be converted to a numeric value: " + bad);
    }
    Map<String, String> limits =
        Map.of(
            "1" + "0".repeat(37) + "1",
            "Attempting to store more than 38 significant digits in a Number",
            "1E126",
            "Number overflow. Attempting to store a number with magnitude larger than supported"
                + " range",
            "-9.9E-131",
            "Number underflow. Attempting to store a number with magnitude smaller than supported"
                + " range");
    limits.forEach(
        (n, message) ->
            assertThat(refusal(() -> ddb.putItem(r -> r.tableName("lim").item(withNumber(n)))))
                .isEqualTo(message));
  }

  // Protects malformed attribute values sent raw (the SDK will not build them): base64 syntax as
  // a SerializationException, empty and duplicate sets, NULL false, zero or two types.
  @Test
  void malformedAttributeValuesAreRefused() throws Exception {
    assertThat(putWith("{\"B\":\"!!!\"}"))
        .isEqualTo(
            "400 SerializationException: Base64 encoded length is expected a multiple of 4 bytes"
                + " but found: 3");
    assertThat(putWith("{\"BS\":[\"AAAA\",\"AB==\"]}"))
        .isEqualTo("400 SerializationException: Invalid last non-pad Base64 character dectected");
    assertThat(putWith("{\"B\":\"!!!!\"}"))
        .isEqualTo("400 SerializationException: Invalid last non-pad Base64 character dectected");
    assertThat(putWith("{\"SS\":[]}"))
        .isEqualTo(
            "400 ValidationException: One or more parameter values were invalid: An string set  may"
                + " not be empty");
    assertThat(putWith("{\"SS\":[\"a\",\"a\"]}"))
        .isEqualTo(
            "400 ValidationException: One or more parameter values were invalid: Input collection"
                + " [a, a] contains duplicates.");
    assertThat(putWith("{\"NULL\":false}"))
        .isEqualTo(
            "400 ValidationException: One or more parameter values were invalid: Null attribute"
                + " value types must have the value of true");
    assertThat(putWith("{\"S\":\"x\",\"N\":\"1\"}"))
        .isEqualTo(
            "400 ValidationException: Supplied AttributeValue has more than one datatypes set, must"
                + " contain exactly one of the supported datatypes");
    assertThat(putWith("{}"))
        .isEqualTo(
            "400 ValidationException: Supplied AttributeValue is empty, must contain exactly one of"
                + " the supported datatypes");
    assertThat(putWith("{\"B\":\"AQID\"}")).startsWith("200");
    String[] broken = raw("PutItem", "{\"TableName\": \"lim\", ");
    assertThat(broken[0] + " " + broken[1]).isEqualTo("400 SerializationException");
    assertThat(
            ddb.getItem(r -> r.tableName("lim").key(key("raw", 1)))
                .item()
                .get("a")
                .b()
                .asByteArray())
        .containsExactly(1, 2, 3);
  }

  // Protects CreateTable's schema checks: duplicate and unused AttributeDefinitions,
  // NonKeyAttributes
  // with ALL or KEYS_ONLY, more than 100 projected attributes across indexes (text unconfirmed).
  @Test
  void schemaDefinitionsAreChecked() {
    assertThat(
            refusal(
                () ->
                    hashTable(
                        "schema_dup",
                        attr("id", ScalarAttributeType.S),
                        attr("id", ScalarAttributeType.N))))
        .isEqualTo(
            "One or more parameter values were invalid: Cannot have two attributes with the same"
                + " name. Attribute name: id");
    assertThat(
            refusal(
                () ->
                    hashTable(
                        "schema_unused",
                        attr("id", ScalarAttributeType.S),
                        attr("spare", ScalarAttributeType.S))))
        .isEqualTo(
            "One or more parameter values were invalid: Number of attributes in KeySchema does not"
                + " exactly match number of attributes defined in AttributeDefinitions");
    assertThat(
            refusal(
                () ->
                    ddb.createTable(
                        withIndexes(
                            "schema_all",
                            gsi(
                                "gi_all",
                                "g",
                                null,
                                software.amazon.awssdk.services.dynamodb.model.ProjectionType.ALL,
                                "x")))))
        .isEqualTo(
            "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes"
                + " is specified");
    String[] fifty = new String[51];
    String[] other = new String[50];
    for (int i = 0; i < 51; i++) {
      fifty[i] = "a" + i;
      if (i < 50) {
        other[i] = "b" + i;
      }
    }
    assertThat(
            refusal(
                () ->
                    ddb.createTable(
                        withIndexes(
                            "schema_101",
                            gsi("gi_a", "g", null, include(), fifty),
                            gsi("gi_b", "g", null, include(), other)))))
        .isEqualTo(
            "One or more parameter values were invalid: Number of projected attributes in all"
                + " indexes exceeds limit of 100");
    ddb.createTable(
        withIndexes(
            "schema_100",
            gsi("gi_a", "g", null, include(), other),
            gsi("gi_b", "g", null, include(), other)));
  }

  private static void hashTable(
      String name, software.amazon.awssdk.services.dynamodb.model.AttributeDefinition... attrs) {
    ddb.createTable(
        r ->
            r.tableName(name)
                .attributeDefinitions(attrs)
                .keySchema(hash("id"))
                .billingMode(BillingMode.PAY_PER_REQUEST));
  }

  private static software.amazon.awssdk.services.dynamodb.model.ProjectionType include() {
    return software.amazon.awssdk.services.dynamodb.model.ProjectionType.INCLUDE;
  }

  private static software.amazon.awssdk.services.dynamodb.model.CreateTableRequest withIndexes(
      String name, GlobalSecondaryIndex... indexes) {
    return software.amazon.awssdk.services.dynamodb.model.CreateTableRequest.builder()
        .tableName(name)
        .attributeDefinitions(attr("id", ScalarAttributeType.S), attr("g", ScalarAttributeType.S))
        .keySchema(hash("id"))
        .globalSecondaryIndexes(indexes)
        .billingMode(BillingMode.PAY_PER_REQUEST)
        .build();
  }
}
