package dev.tidemark.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.ResourcePolicies;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TestTables;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (its name matches no surefire pattern): measures what the gate costs per
 * request, open mode against IAM mode (SigV4 verified, the ten-statement policy of {@code
 * bench/auth_compare.py} evaluated), for a signed GetItem and PutItem, in one run. The gate is
 * assembled as the server assembles it ({@link AccessControl#forTables} over a real table catalog,
 * resource-based policies included), and measured twice: with no resource-based policy anywhere
 * (what {@code bench/run.sh --auth-compare} runs) and with one on the table. Run with {@code mvn -o
 * -B test -Dtest=GateCostBench}.
 */
class GateCostBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T = "arn:aws:dynamodb:us-east-1:123456789012:table/";

  /** The policy of bench/auth_compare.py, statement for statement. */
  static final String POLICY =
      ("{'Version':'2012-10-17','Statement':["
              + "{'Sid':'ReadItems','Effect':'Allow','Action':['dynamodb:GetItem',"
              + "'dynamodb:BatchGetItem','dynamodb:Query','dynamodb:Scan'],"
              + "'Resource':['T:kv1k','T:kv1k/index/*']},"
              + "{'Sid':'WriteItems','Effect':'Allow','Action':['dynamodb:PutItem',"
              + "'dynamodb:UpdateItem','dynamodb:DeleteItem','dynamodb:BatchWriteItem'],"
              + "'Resource':'T:kv1k'},"
              + "{'Sid':'Describe','Effect':'Allow','Action':['dynamodb:DescribeTable',"
              + "'dynamodb:ListTables'],'Resource':'*'},"
              + "{'Sid':'Streams','Effect':'Allow','Action':['dynamodb:DescribeStream',"
              + "'dynamodb:GetRecords','dynamodb:GetShardIterator'],'Resource':'T:kv1k/stream/*'},"
              + "{'Sid':'Backups','Effect':'Allow','Action':['dynamodb:CreateBackup',"
              + "'dynamodb:DescribeBackup','dynamodb:ListBackups'],"
              + "'Resource':['T:kv1k','T:kv1k/backup/*']},"
              + "{'Sid':'OwnScratchTables','Effect':'Allow','Action':'dynamodb:*',"
              + "'Resource':'T:scratch-${aws:username}-*'},"
              + "{'Sid':'FromLoopbackOnly','Effect':'Allow','Action':'dynamodb:DescribeTimeToLive',"
              + "'Resource':'T:kv1k','Condition':{'IpAddress':{'aws:SourceIp':'127.0.0.0/8'}}},"
              + "{'Sid':'NoDeletes','Effect':'Deny','Action':['dynamodb:DeleteTable',"
              + "'dynamodb:DeleteBackup'],'Resource':'*'},"
              + "{'Sid':'KeepPitr','Effect':'Deny','Action':'dynamodb:UpdateContinuousBackups',"
              + "'Resource':'*'},"
              + "{'Sid':'NoOtherAccounts','Effect':'Deny','Action':'dynamodb:*',"
              + "'NotResource':['arn:aws:dynamodb:*:123456789012:*']}]}")
          .replace('\'', '"')
          .replace("T:", T);

  /** A resource-based policy of the usual kind: the account's principals, a Deny on deletes. */
  private static final String TABLE_POLICY =
      ("{'Version':'2012-10-17','Statement':["
              + "{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::123456789012:root'},"
              + "'Action':['dynamodb:GetItem','dynamodb:PutItem'],'Resource':'T:kv1k'},"
              + "{'Effect':'Deny','Principal':'*','Action':'dynamodb:DeleteTable',"
              + "'Resource':'T:kv1k'}]}")
          .replace('\'', '"')
          .replace("T:", T);

  @Test
  void gateCostPerRequest() throws Exception {
    RocksStorage storage = RocksStorage.inMemory();
    try (Database db =
        new Database(storage, System::currentTimeMillis, false, "us-east-1", "123456789012")) {
      Table table = TestTables.create(db, "kv1k", null);
      IdentityStore store =
          new IdentityStore(
              storage, "123456789012", new SecretSealer(new byte[32]), System::currentTimeMillis);
      store.createUser("bench", null);
      store.putUserPolicy("bench", "app", POLICY);
      IdentityStore.NewKey key = store.createAccessKey("bench");
      AccessControl iam =
          AccessControl.forTables(store, db.catalog(), "us-east-1", System::currentTimeMillis);
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
      for (boolean withTablePolicy : new boolean[] {false, true}) {
        if (withTablePolicy) {
          ResourcePolicies policies = db.catalog().resourcePolicies();
          policies.put(
              ResourcePolicies.Target.table(table.id()),
              new ResourcePolicies.Stored(
                  TABLE_POLICY, policies.nextRevision(System.currentTimeMillis())));
        }
        for (String op : new String[] {"GetItem", "PutItem"}) {
          String body =
              op.equals("GetItem")
                  ? "{\"TableName\":\"kv1k\",\"Key\":{\"pk\":{\"S\":\"k00000123\"}}}"
                  : "{\"TableName\":\"kv1k\",\"Item\":{\"pk\":{\"S\":\"k00000123\"},\"v\":{\"S\":\""
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
          // Allocation shows beside CPU: in the server it costs cache misses and collections
          // that a warm loop over one request hides.
          long openBytes = allocated(() -> open.admit(req, op, input));
          long iamBytes = allocated(() -> iam.admit(req, op, input));
          System.out.printf(
              "GATE %s%s: open %.1f us/request, iam %.1f us/request, iam+audit %.1f us/request"
                  + " (body %d bytes); allocated open %d, iam %d bytes/request%n",
              op,
              withTablePolicy ? " (table has a resource policy)" : "",
              openNs / 1000,
              iamNs / 1000,
              auditedNs / 1000,
              bytes.length,
              openBytes,
              iamBytes);
        }
      }
      trail.close();
      for (java.nio.file.Path f : dev.tidemark.audit.AuditLog.files(auditDir)) {
        java.nio.file.Files.delete(f);
      }
      java.nio.file.Files.delete(auditDir);
    }
  }

  /** Bytes allocated per call, by this thread, over many calls. */
  private static long allocated(Runnable r) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    int n = 100_000;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < n; i++) {
      r.run();
    }
    return (threads.getCurrentThreadAllocatedBytes() - before) / n;
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
