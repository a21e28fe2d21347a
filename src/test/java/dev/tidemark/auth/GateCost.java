package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.storage.RocksStorage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the IAM-mode gate costs per request, in CPU time, without HTTP around it: the same
 * ten-statement policy as {@code bench/auth_compare.py}, GetItem and PutItem requests signed by the
 * SDK's SigV4 signer, passed through {@code AccessControl.serve} in a loop, beside the open-mode
 * gate. Thread CPU time, so a busy machine slows it less than wall-clock throughput.
 *
 * <pre>
 *   mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.tidemark.auth.GateCost \
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
    Map<String, String> headers =
        SdkSigning.signed(keyId, secret, "DynamoDB_20120810." + op, body, java.time.Instant.now());
    headers.put("Host", "127.0.0.1:8000");
    return new SignedRequest(
        "POST", "/", null, headers::get, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1", false);
  }
}
