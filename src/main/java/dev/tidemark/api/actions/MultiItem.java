package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.api.Constraints;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.regex.Pattern;

/**
 * Request checks shared by the batch and transaction actions, with DynamoDB's messages: list
 * lengths, table names as map keys, and the identity of one item across tables.
 */
final class MultiItem {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
  private static final int DUMP_CHARS = 2000;

  private MultiItem() {}

  /**
   * The value as DynamoDB echoes it in a constraint message. DynamoDB prints its own object dump;
   * the JSON text stands in for it, shortened in the middle so a 16 MB request does not come back
   * in its error message.
   */
  static String dump(JsonNode value) {
    String s = value.toString();
    if (s.length() <= DUMP_CHARS) {
      return s;
    }
    int half = DUMP_CHARS / 2;
    return s.substring(0, half) + "..." + s.substring(s.length() - half);
  }

  /** Adds the length violations of a list member ({@code min..max} elements). */
  static void length(Constraints c, JsonNode list, String member, int min, int max) {
    if (list == null) {
      return;
    }
    if (list.size() < min) {
      c.add(
          "Value '"
              + dump(list)
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have length greater than or equal to "
              + min);
    } else if (list.size() > max) {
      c.add(
          "Value '"
              + dump(list)
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + max);
    }
  }

  /**
   * Adds the violation for table names used as keys of {@code RequestItems}: 3 to 255 characters of
   * [a-zA-Z0-9_.-], or a table ARN. DynamoDB reports the whole map once.
   */
  static void tableNameKeys(Constraints c, JsonNode requestItems, String member) {
    Iterator<String> names = requestItems.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      boolean arn = n.startsWith("arn:") && n.length() <= 1024;
      if (!arn && (n.length() < 3 || n.length() > 255 || !NAME.matcher(n).matches())) {
        c.add(
            "Value '"
                + dump(requestItems)
                + "' at '"
                + member
                + "' failed to satisfy constraint: Map keys must satisfy constraint: [Member must"
                + " have length less than or equal to 255, Member must have length greater than or"
                + " equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]");
        return;
      }
    }
  }

  /** A table-qualified storage key, comparable by value, to find two operations on one item. */
  static Object itemIdentity(long tableId, byte[] storageKey) {
    return ByteBuffer.allocate(8 + storageKey.length).putLong(tableId).put(storageKey).flip();
  }
}
