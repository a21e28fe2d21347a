package dev.tidemark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.auth.AccessControl;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.DynamoPermissions;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.auth.SecretSealer;
import dev.tidemark.auth.SignedRequest;
import dev.tidemark.storage.RocksStorage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

/**
 * What the IAM-mode gate costs per request, in CPU time, without HTTP around it: the same
 * ten-statement policy as {@code bench/auth_compare.py}, GetItem and PutItem requests signed by the
 * SDK's SigV4 signer, passed through {@code AccessControl.serve} in a loop, beside the open-mode
 * gate. Thread CPU time, so a busy machine slows it less than wall-clock throughput.
 *
 * <pre>
 *   mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.tidemark.bench.GateCost \
 *       POLICY.json [seconds]
 * </pre>
 *
 * A tool, not a test: it prints numbers and asserts nothing.
 */
public final class GateCost {
  private static final String ACCOUNT = "123456789012";
  private static final String TABLE = "kv1k";

  public static void main(String[] args) throws Exception {
    String policy = Files.readString(Path.of(args[0]));
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    RocksStorage storage = RocksStorage.inMemory();
    byte[] master = new byte[32];
    IdentityStore identities =
        new IdentityStore(storage, ACCOUNT, new SecretSealer(master), System::currentTimeMillis);
    identities.createUser("bench", "/");
    IdentityStore.NewKey key = identities.createAccessKey("bench");
    identities.putPolicy(IdentityStore.Entity.USER, "bench", "app", policy);
    Authenticator iam =
        new AccessControl(
            identities,
            new DynamoPermissions("us-east-1", ACCOUNT, t -> "pk"),
            "us-east-1",
            System::currentTimeMillis);
    Authenticator open = Authenticator.acceptAnyCredentials("us-east-1");

    ObjectMapper json = new ObjectMapper();
    List<Case> cases = new ArrayList<>();
    for (String op : List.of("GetItem", "PutItem")) {
      String body =
          op.equals("GetItem")
              ? "{\"TableName\":\"" + TABLE + "\",\"Key\":{\"pk\":{\"S\":\"k000123\"}}}"
              : "{\"TableName\":\""
                  + TABLE
                  + "\",\"Item\":{\"pk\":{\"S\":\"k000123\"},\"v\":{\"S\":\""
                  + "x".repeat(1000)
                  + "\"}}}";
      cases.add(new Case(op, sign(op, body, key.key().id(), key.secret()), json.readTree(body)));
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 3; round++) {
      for (Case c : cases) {
        for (Map.Entry<String, Authenticator> mode : Map.of("open", open, "iam", iam).entrySet()) {
          long n = 0;
          long cpu0 = threads.getCurrentThreadCpuTime();
          long wall0 = System.nanoTime();
          long until = wall0 + (long) (seconds * 1e9);
          while (System.nanoTime() < until) {
            for (int i = 0; i < 256; i++) {
              mode.getValue().serve(c.request, c.op, c.input, caller -> caller);
            }
            n += 256;
          }
          long cpu = threads.getCurrentThreadCpuTime() - cpu0;
          System.out.printf(
              Locale.ROOT,
              "round %d %-8s %-5s %,10d calls  %7.2f µs CPU/call%n",
              round,
              c.op,
              mode.getKey(),
              n,
              cpu / 1000.0 / n);
        }
      }
    }
    storage.close();
  }

  private record Case(String op, SignedRequest request, JsonNode input) {}

  /** Signs as the SDK does, with the headers a DynamoDB client sends. */
  private static SignedRequest sign(String op, String body, String keyId, String secret) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    SdkHttpRequest request =
        SdkHttpFullRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create("http://127.0.0.1:8000/"))
            .putHeader("Content-Type", "application/x-amz-json-1.0")
            .putHeader("X-Amz-Target", "DynamoDB_20120810." + op)
            .putHeader("User-Agent", "aws-sdk-java/2 bench")
            .putHeader("Content-Length", Integer.toString(bytes.length))
            .build();
    var signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsBasicCredentials.create(keyId, secret))
                        .request(request)
                        .payload(ContentStreamProvider.fromByteArray(bytes))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.systemUTC()));
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    signed.request().headers().forEach((k, v) -> headers.put(k, v.get(0)));
    headers.put("Host", "127.0.0.1:8000");
    return new SignedRequest("POST", "/", null, headers::get, bytes, "127.0.0.1", false);
  }
}
