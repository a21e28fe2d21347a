package dev.tidemark.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.SignedHttp;
import dev.tidemark.cli.Bootstrap;
import dev.tidemark.testkit.OpenServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Protects the console's front in open mode: its pages are only read (GET) and carry a strict
 * Content-Security-Policy, no path leaves the shipped files, its own operations answer DynamoDB's
 * errors for bad input, refuse other origins, and item history lists every write of one key from
 * the change log and, with PITR on, from the archive once the log's copy was trimmed.
 */
class ConsoleApiIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private static Bootstrap.Running server;
  private static DynamoDbClient ddb;
  private static String endpoint;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("console-it");
    server = Bootstrap.start(OpenServerConfig.inMemory(dir));
    endpoint = server.endpoint();
    ddb =
        DynamoDbClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterAll
  static void stop() {
    ddb.close();
    server.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(endpoint + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static SignedHttp.RestAnswer call(String op, String body) throws Exception {
    return call(op, body, Map.of());
  }

  private static SignedHttp.RestAnswer call(String op, String body, Map<String, String> headers)
      throws Exception {
    return SignedHttp.post(
        endpoint, "test", "test", "dynamodb", "/console/api/" + op, body, headers);
  }

  private static void table(String name) {
    table(ddb, name);
  }

  /** A table with a string partition key {@code pk}, on demand (the browser test's too). */
  static void table(DynamoDbClient ddb, String name) {
    ddb.createTable(
        b ->
            b.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName("pk")
                        .attributeType(ScalarAttributeType.S)
                        .build()));
  }

  private static void put(String table, String pk, String v) {
    put(ddb, table, pk, v);
  }

  /** An item {@code pk}, {@code v}. */
  static void put(DynamoDbClient ddb, String table, String pk, String v) {
    ddb.putItem(
        b ->
            b.tableName(table)
                .item(
                    Map.of(
                        "pk", AttributeValue.fromS(pk),
                        "v", AttributeValue.fromS(v))));
  }

  @Test
  void pagesAreServedReadOnlyWithTheirSecurityHeaders() throws Exception {
    HttpResponse<String> redirect = get("/console");
    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.headers().firstValue("Location")).contains("/console/");

    HttpResponse<String> index = get("/console/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("<script type=\"module\" src=\"js/app.js\">");
    assertThat(index.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'");
    assertThat(get("/console/js/sigv4.js").headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");

    // The charting library comes from the jar (the uPlot webjar), so the console works offline;
    // this fails if the pom's uPlot version and ConsoleHandler.UPLOT_VERSION part ways.
    HttpResponse<String> uplot = get("/console/vendor/uplot.js");
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(uplot.body()).contains("export { uPlot as default }");
    assertThat(get("/console/vendor/uplot.css").body()).contains(".uplot");
    assertThat(get("/console/vendor/uPlot.esm.js").statusCode()).isEqualTo(404);

    JsonNode settings = JSON.readTree(get("/console/settings.json").body());
    assertThat(settings.path("region").asText()).isEqualTo("us-east-1");
    assertThat(settings.path("auth").asText()).isEqualTo("open");

    // Nothing outside the shipped files, however the path is spelled.
    for (String path :
        List.of(
            "/console/nothing.html",
            "/console/../pom.xml",
            "/console/%2e%2e/logback.xml",
            "/console/js/../../logback.xml",
            "/console/META-INF/MANIFEST.MF",
            "/console/Index.HTML")) {
      assertThat(get(path).statusCode()).as(path).isIn(400, 404);
    }

    // A form (or anything but GET) on the pages changes nothing: it is refused.
    HttpResponse<String> post =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(endpoint + "/console/"))
                .POST(HttpRequest.BodyPublishers.ofString("a=b"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    // The DynamoDB API and the health check still answer beside the console.
    assertThat(get("/").body()).startsWith("healthy:");
  }

  @Test
  void historyListsEveryWriteOfOneKeyFromTheChangeLog() throws Exception {
    table("Hist");
    long before = System.currentTimeMillis();
    put("Hist", "a", "1");
    put("Hist", "other", "x");
    put("Hist", "a", "2");
    ddb.deleteItem(b -> b.tableName("Hist").key(Map.of("pk", AttributeValue.fromS("a"))));

    SignedHttp.RestAnswer r =
        call("ListItemVersions", "{\"TableName\":\"Hist\",\"Key\":{\"pk\":{\"S\":\"a\"}}}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode out = JSON.readTree(r.body());
    assertThat(out.path("PointInTimeRecoveryEnabled").asBoolean()).isFalse();
    JsonNode versions = out.path("Versions");
    assertThat(versions).hasSize(3);
    assertThat(versions.findValuesAsText("EventName"))
        .containsExactly("INSERT", "MODIFY", "REMOVE");
    assertThat(versions.get(0).has("OldImage")).isFalse();
    assertThat(versions.get(0).at("/NewImage/v/S").asText()).isEqualTo("1");
    // Without a stream the log keeps no old image; the version before is the same item.
    assertThat(versions.get(1).has("OldImage")).isFalse();
    assertThat(versions.get(1).at("/NewImage/v/S").asText()).isEqualTo("2");
    assertThat(versions.get(2).has("NewImage")).isFalse();
    assertThat(versions.get(0).path("Origin").asText()).isEqualTo("USER");
    // Open mode: the writer is the access key id the write was signed with.
    assertThat(versions.get(0).path("Writer").asText()).isEqualTo("test");
    assertThat(versions.get(0).path("WriterKnown").asBoolean()).isTrue();
    assertThat(versions.get(0).path("TimeMillis").asLong()).isGreaterThanOrEqualTo(before);
    assertThat(Instant.parse(versions.get(0).path("Time").asText()).toEpochMilli())
        .isEqualTo(versions.get(0).path("TimeMillis").asLong());

    // tidemark history prints the same versions, with what each write changed.
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit =
          dev.tidemark.cli.Main.commandLine()
              .execute("history", "Hist", "{\"pk\":{\"S\":\"a\"}}", "--endpoint", endpoint);
    } finally {
      System.setOut(stdout);
    }
    assertThat(exit).isZero();
    assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("INSERT", "MODIFY", "REMOVE", "USER")
        .contains("+ v: {\"S\":\"1\"}")
        .contains("~ v: {\"S\":\"1\"} -> {\"S\":\"2\"}")
        .contains("- v: {\"S\":\"2\"}");

    // Limit keeps the newest.
    JsonNode newest =
        JSON.readTree(
            call(
                    "ListItemVersions",
                    "{\"TableName\":\"Hist\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"Limit\":1}")
                .body());
    assertThat(newest.path("Truncated").asBoolean()).isTrue();
    assertThat(newest.path("Versions").get(0).path("EventName").asText()).isEqualTo("REMOVE");
  }

  @Test
  void historyReachesIntoThePitrArchiveAfterTheLogWasTrimmed() throws Exception {
    table("Arch");
    ddb.updateContinuousBackups(
        b ->
            b.tableName("Arch")
                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(true)));
    put("Arch", "k", "one");
    ddb.deleteItem(b -> b.tableName("Arch").key(Map.of("pk", AttributeValue.fromS("k"))));
    put("Arch", "k", "two");
    put("Arch", "k", "three");
    long lastWrite = System.currentTimeMillis();
    // Archived within about a second; retention then drops the log's copy (every 2 s).
    long deadline = System.currentTimeMillis() + 20_000;
    JsonNode window;
    do {
      Thread.sleep(200);
      window = JSON.readTree(call("DescribePitrWindow", "{\"TableName\":\"Arch\"}").body());
    } while (window.path("LatestRestorableMillis").asLong() < lastWrite
        && System.currentTimeMillis() < deadline);
    assertThat(window.path("PointInTimeRecoveryEnabled").asBoolean()).isTrue();
    assertThat(window.path("RecoveryPeriodInDays").asInt()).isEqualTo(35);
    assertThat(window.path("LatestRestorableMillis").asLong()).isGreaterThanOrEqualTo(lastWrite);
    assertThat(window.path("EarliestRestorableMillis").asLong())
        .isLessThanOrEqualTo(window.path("LatestRestorableMillis").asLong());
    assertThat(window.path("ArchiveLagMillis").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(window.path("BaseSnapshots")).isNotEmpty();
    Thread.sleep(2500); // long enough for one archived-record trim pass

    JsonNode out =
        JSON.readTree(
            call("ListItemVersions", "{\"TableName\":\"Arch\",\"Key\":{\"pk\":{\"S\":\"k\"}}}")
                .body());
    assertThat(out.path("PointInTimeRecoveryEnabled").asBoolean()).isTrue();
    assertThat(out.path("Versions").findValuesAsText("S"))
        .containsSubsequence("one", "two", "three");
    assertThat(out.path("Versions").findValuesAsText("EventName"))
        .containsExactly("WRITE", "REMOVE", "INSERT", "MODIFY");
    assertThat(out.path("EarliestMillis").asLong())
        .isEqualTo(window.path("EarliestRestorableMillis").asLong());
  }

  @Test
  void badInputGetsDynamoDbErrorsAndOtherOriginsAreRefused() throws Exception {
    table("Errs");
    SignedHttp.RestAnswer missing = call("ListItemVersions", "{\"TableName\":\"Errs\"}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body()).contains("ValidationException").contains("key");

    SignedHttp.RestAnswer wrongKey =
        call("ListItemVersions", "{\"TableName\":\"Errs\",\"Key\":{\"x\":{\"S\":\"a\"}}}");
    assertThat(wrongKey.body())
        .contains("ValidationException")
        .contains("The provided key element does not match the schema");

    SignedHttp.RestAnswer noTable =
        call("ListItemVersions", "{\"TableName\":\"Nope\",\"Key\":{\"pk\":{\"S\":\"a\"}}}");
    assertThat(noTable.body()).contains("ResourceNotFoundException");

    SignedHttp.RestAnswer limit =
        call(
            "ListItemVersions",
            "{\"TableName\":\"Errs\",\"Key\":{\"pk\":{\"S\":\"a\"}},\"Limit\":0}");
    assertThat(limit.body()).contains("ValidationException");

    assertThat(call("ListItemVersions", "[1]").body()).contains("SerializationException");
    assertThat(call("Nothing", "{}").body()).contains("UnknownOperationException");
    assertThat(get("/console/api/DescribePitrWindow").body()).contains("UnknownOperationException");

    SignedHttp.RestAnswer foreign =
        call(
            "DescribePitrWindow",
            "{\"TableName\":\"Errs\"}",
            Map.of("Origin", "http://attacker.example"));
    assertThat(foreign.status()).isEqualTo(400);
    assertThat(foreign.body()).contains("AccessDeniedException").contains("cross-origin");
    SignedHttp.RestAnswer own =
        call("DescribePitrWindow", "{\"TableName\":\"Errs\"}", Map.of("Origin", endpoint));
    assertThat(own.status()).as(own.body()).isEqualTo(200);
    assertThat(JSON.readTree(own.body()).path("PointInTimeRecoveryEnabled").asBoolean()).isFalse();
  }
}
