package dev.tidemark.awsbackup;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * {@code nextToken}/{@code maxResults} paging over a list in a stable order. The token names the
 * last item returned; the last page carries no {@code NextToken}, or the CLI would keep paging.
 */
public final class Paging {
  private Paging() {}

  /**
   * Writes one page of {@code items} into {@code out.<listName>}, and NextToken when more remain.
   */
  public static <T> void page(
      Call call,
      List<T> items,
      Function<T, String> id,
      Function<T, ObjectNode> render,
      ObjectNode out,
      String listName) {
    int max = call.queryInt("maxResults", "maxResults", 1, 1000, 1000);
    String token = call.query("nextToken");
    int from = 0;
    if (token != null) {
      String after = decode(token);
      from = -1;
      for (int i = 0; i < items.size(); i++) {
        if (id.apply(items.get(i)).equals(after)) {
          from = i + 1;
          break;
        }
      }
      if (from < 0) {
        throw Call.invalid("The nextToken is invalid or has expired.");
      }
    }
    ArrayNode list = out.putArray(listName);
    int to = Math.min(items.size(), from + max);
    for (int i = from; i < to; i++) {
      list.add(render.apply(items.get(i)));
    }
    if (to < items.size()) {
      out.put(
          "NextToken",
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(id.apply(items.get(to - 1)).getBytes(StandardCharsets.UTF_8)));
    }
  }

  private static String decode(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw Call.invalid("The nextToken is invalid or has expired.");
    }
  }
}
