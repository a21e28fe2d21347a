package dev.tidemark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidemark backup tests}: the history of restore tests, from a running server's AWS Backup
 * API (ListRestoreJobs, keeping the jobs a restore testing plan started), oldest first, with each
 * test's measured restore time (RTO: the job's CreationDate to CompletionDate, request to usable
 * table).
 */
@Command(
    name = "tests",
    mixinStandardHelpOptions = true,
    description = "List restore tests (restore testing plans' restore jobs) with their RTO.")
final class BackupTestsCommand implements Callable<Integer> {
  @picocli.CommandLine.Mixin BackupCommand.ServerOptions server = new BackupCommand.ServerOptions();

  @Option(names = "--plan", description = "Only the tests of this restore testing plan (ARN).")
  String planArn;

  @Option(names = "--json", description = "Print a JSON array instead of a table.")
  boolean json;

  PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    ArrayNode tests = ServerClient.JSON.createArrayNode();
    String token = null;
    do {
      String path =
          "/restore-jobs/?maxResults=1000"
              + (planArn == null ? "" : "&restoreTestingPlanArn=" + enc(planArn))
              + (token == null ? "" : "&nextToken=" + enc(token));
      JsonNode page = get(path);
      for (JsonNode j : page.path("RestoreJobs")) {
        if (j.path("CreatedBy").hasNonNull("RestoreTestingPlanArn")) {
          tests.add(test(j));
        }
      }
      token = page.hasNonNull("NextToken") ? page.get("NextToken").asText() : null;
    } while (token != null);
    if (json) {
      out.println(ServerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tests));
      return 0;
    }
    out.printf(
        "%-20s  %-24s  %-20s  %-9s  %-10s  %-10s  %8s%n",
        "CREATED", "PLAN", "SOURCE TABLE", "STATUS", "VALIDATION", "DELETION", "RTO (s)");
    for (JsonNode t : tests) {
      out.printf(
          "%-20s  %-24s  %-20s  %-9s  %-10s  %-10s  %8s%n",
          t.path("creationTime").asText(),
          t.path("plan").asText(),
          t.path("sourceTable").asText(),
          t.path("status").asText(),
          t.path("validationStatus").asText("-"),
          t.path("deletionStatus").asText("-"),
          t.hasNonNull("rtoSeconds") ? t.get("rtoSeconds").decimalValue().toPlainString() : "-");
      if (t.hasNonNull("validationMessage")) {
        out.println("    " + t.get("validationMessage").asText());
      }
    }
    return 0;
  }

  /** One test, from its restore job. */
  private static ObjectNode test(JsonNode j) {
    ObjectNode t = ServerClient.JSON.createObjectNode();
    String plan = j.path("CreatedBy").get("RestoreTestingPlanArn").asText();
    String name = plan.substring(plan.lastIndexOf(':') + 1);
    // ARNs end with <name>-<uuid>; the uuid is 36 characters.
    t.put("plan", name.length() > 37 ? name.substring(0, name.length() - 37) : name);
    t.put("restoreTestingPlanArn", plan);
    t.put("restoreJobId", j.path("RestoreJobId").asText());
    String source = j.path("SourceResourceArn").asText();
    t.put("sourceTable", source.substring(source.lastIndexOf('/') + 1));
    t.put("recoveryPointArn", j.path("RecoveryPointArn").asText());
    t.put("creationTime", time(j.get("CreationDate")));
    t.put("recoveryPointCreationTime", time(j.get("RecoveryPointCreationDate")));
    t.put("status", j.path("Status").asText());
    copy(j, "StatusMessage", t, "statusMessage");
    copy(j, "ValidationStatus", t, "validationStatus");
    copy(j, "ValidationStatusMessage", t, "validationMessage");
    copy(j, "DeletionStatus", t, "deletionStatus");
    copy(j, "CreatedResourceArn", t, "restoredTableArn");
    if (j.hasNonNull("CompletionDate") && "COMPLETED".equals(j.path("Status").asText())) {
      BigDecimal rto =
          j.get("CompletionDate").decimalValue().subtract(j.get("CreationDate").decimalValue());
      t.put("rtoSeconds", rto);
    } else {
      t.putNull("rtoSeconds");
    }
    return t;
  }

  private static void copy(JsonNode from, String field, ObjectNode to, String name) {
    if (from.hasNonNull(field)) {
      to.put(name, from.get(field).asText());
    }
  }

  private static String time(JsonNode seconds) {
    if (seconds == null || !seconds.isNumber()) {
      return null;
    }
    return Instant.ofEpochMilli(seconds.decimalValue().movePointRight(3).longValue()).toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A GET of the AWS Backup API, with the placeholder signature open mode accepts. */
  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<byte[]> resp =
        http.send(
            HttpRequest.newBuilder(URI.create(server.endpoint).resolve(path))
                .header(
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=tidemark-cli/20260101/local/backup/aws4_request,"
                        + " SignedHeaders=host, Signature=0")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    JsonNode body = ServerClient.JSON.readTree(resp.body());
    if (resp.statusCode() != 200) {
      throw new ServerClient.ServerError(
          resp.headers().firstValue("x-amzn-ErrorType").orElse("Error"),
          body.path("Message").asText(body.toString()));
    }
    return body;
  }
}
