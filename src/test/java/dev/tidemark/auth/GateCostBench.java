package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.storage.RocksStorage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (its name matches no surefire pattern): measures what the gate costs per
 * request, open mode against IAM mode (SigV4 verified, a ten-statement policy evaluated), for a
 * signed GetItem and PutItem, in one run. Run with {@code mvn -o -B test -Dtest=GateCostBench}.
 */
class GateCostBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void gateCostPerRequest() throws Exception {
    try (RocksStorage storage = RocksStorage.inMemory()) {
      IdentityStore store =
          new IdentityStore(
              storage, "123456789012", new SecretSealer(new byte[32]), System::currentTimeMillis);
      store.createUser("bench", null);
      StringBuilder policy = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[");
      for (int i = 0; i < 9; i++) {
        policy
            .append("{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:Query\",\"dynamodb:Scan\"],")
            .append("\"Resource\":\"arn:aws:dynamodb:us-east-1:123456789012:table/Other")
            .append(i)
            .append("\"},");
      }
      policy
          .append("{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\"dynamodb:PutItem\"],")
          .append("\"Resource\":\"arn:aws:dynamodb:us-east-1:123456789012:table/Bench\"}]}");
      store.putUserPolicy("bench", "p", policy.toString());
      IdentityStore.NewKey key = store.createAccessKey("bench");
      AccessControl iam =
          new AccessControl(
              store,
              new DynamoPermissions("us-east-1", "123456789012", t -> "pk"),
              "us-east-1",
              System::currentTimeMillis);
      Authenticator open = Authenticator.acceptAnyCredentials("us-east-1");
      java.nio.file.Path auditDir = java.nio.file.Files.createTempDirectory("gate-bench-audit");
      dev.tidemark.audit.AuditLog trail =
          dev.tidemark.audit.AuditLog.open(
              auditDir, dev.tidemark.audit.AuditConfig.defaults(), System::currentTimeMillis);
      Authenticator audited =
          new dev.tidemark.audit.AuditingGate(
              iam,
              trail,
              new dev.tidemark.audit.ResourceNames(
                  new DynamoPermissions("us-east-1", "123456789012", t -> null),
                  null,
                  "123456789012"),
              System::currentTimeMillis);
      for (String op : new String[] {"GetItem", "PutItem"}) {
        String body =
            op.equals("GetItem")
                ? "{\"TableName\":\"Bench\",\"Key\":{\"pk\":{\"S\":\"k00000123\"}}}"
                : "{\"TableName\":\"Bench\",\"Item\":{\"pk\":{\"S\":\"k00000123\"},\"v\":{\"S\":\""
                    + "x".repeat(1000)
                    + "\"}}}";
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(
            SdkSigning.signed(
                key.key().id(), key.secret(), "DynamoDB_20120810." + op, body, Instant.now()));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        JsonNode input = JSON.readTree(bytes);
        SignedRequest req = new SignedRequest("POST", "/", null, h::get, bytes, "127.0.0.1");
        assertThat(iam.admit(req, op, input).principal().userName()).isEqualTo("bench");
        double openNs = time(() -> open.admit(req, op, input));
        double iamNs = time(() -> iam.admit(req, op, input));
        // The same gate with the audit trail around it, as Bootstrap assembles it: an admitted
        // data-plane request is not recorded, so this is the cost of the classification.
        double auditedNs = time(() -> audited.serve(req, op, input, c -> c));
        System.out.printf(
            "GATE %s: open %.1f us/request, iam %.1f us/request, iam+audit %.1f us/request (body %d"
                + " bytes)%n",
            op, openNs / 1000, iamNs / 1000, auditedNs / 1000, bytes.length);
      }
      trail.close();
      for (java.nio.file.Path f : dev.tidemark.audit.AuditLog.files(auditDir)) {
        java.nio.file.Files.delete(f);
      }
      java.nio.file.Files.delete(auditDir);
    }
  }

  private static double time(Runnable r) {
    for (int i = 0; i < 200_000; i++) {
      r.run();
    }
    int n = 500_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      r.run();
    }
    return (System.nanoTime() - t0) / (double) n;
  }
}
