package dev.tidemark.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Shared test data. */
final class Fixtures {
  private Fixtures() {}

  static BackupMetadata metadata(String tableId, String backupId) {
    ObjectNode schema = new ObjectMapper().createObjectNode();
    schema.putArray("KeySchema").addObject().put("AttributeName", "pk").put("KeyType", "HASH");
    schema.put("BillingMode", "PAY_PER_REQUEST");
    return new BackupMetadata(
        "arn:aws:dynamodb:us-east-1:000000000000:table/Music/backup/" + backupId,
        "nightly",
        "USER",
        "Music",
        tableId,
        "arn:aws:dynamodb:us-east-1:000000000000:table/Music",
        schema,
        new LogPosition(42, 1_700_000_000_000L),
        3,
        300,
        1_700_000_000_500L);
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
