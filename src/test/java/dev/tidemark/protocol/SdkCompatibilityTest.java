package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Operations;
import dev.tidemark.errors.DynamoException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ListTablesResponse;

/** The real AWS SDK v2 against our framing: the contract that matters most. */
class SdkCompatibilityTest {
  private static HttpServer server;
  private static DynamoDbClient dynamo;

  @BeforeAll
  static void start() throws Exception {
    Operations operations =
        TestActions.operations()
            .register(
                TestActions.action(
                    "PutItem",
                    (ctx, req) -> {
                      ObjectNode extra = JsonNodeFactory.instance.objectNode();
                      extra.putObject("Item").putObject("pk").put("S", "a");
                      throw DynamoException.conditionalCheckFailed(extra);
                    }));
    server = new HttpServer(operations, "us-east-1", RequestIds::next);
    int port = server.start("127.0.0.1", 0);
    dynamo =
        DynamoDbClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + port))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterAll
  static void stop() {
    dynamo.close();
    server.stop();
  }

  // The SDK accepts our status line, headers, CRC32 and body for a successful call.
  @Test
  void listTablesSucceedsThroughTheSdk() {
    ListTablesResponse response = dynamo.listTables();
    assertThat(response.tableNames()).isEmpty();
    assertThat(response.responseMetadata().requestId()).matches("[A-Z0-9]{52}");
  }

  // The SDK reads the error code after the '#' of __type, and our message.
  @Test
  void unregisteredOperationSurfacesAsUnknownOperationException() {
    DynamoDbException e =
        catchThrowableOfType(DynamoDbException.class, () -> dynamo.describeLimits(r -> {}));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnknownOperationException");
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorMessage()).contains("DescribeLimits");
  }

  // Modelled errors map to the SDK's typed exceptions, extra fields included, so catch blocks work.
  @Test
  void modelledErrorsBecomeTypedSdkExceptionsWithTheirExtraFields() {
    ConditionalCheckFailedException e =
        catchThrowableOfType(
            ConditionalCheckFailedException.class,
            () -> dynamo.putItem(r -> r.tableName("t").item(Map.of())));
    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The conditional request failed");
    assertThat(e.item()).containsEntry("pk", AttributeValue.fromS("a"));
  }
}
