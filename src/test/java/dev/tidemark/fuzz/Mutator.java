package dev.tidemark.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds hostile requests: valid requests with their JSON tree mutated, random bodies, broken JSON,
 * wrong targets, headers and framing. Everything is drawn from the {@link Random} given, so one
 * request is reproducible from its seed alone.
 */
final class Mutator {
  /** One request on the wire, with a label saying how it was made. */
  record FuzzRequest(String label, byte[] head, byte[] body, boolean halfClose) {
    String preview() {
      String b = new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8);
      String h = new String(head, StandardCharsets.ISO_8859_1);
      return label + "\n" + h.substring(0, Math.min(h.length(), 600)) + b;
    }
  }

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String[] EXPRESSION_TOKENS = {
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "(",
    ")",
    ",",
    ".",
    "[",
    "]",
    "[0]",
    "[99999]",
    "[-1]",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
    "size",
    "if_not_exists",
    "list_append",
    "+",
    "-",
    ":v",
    ":missing",
    "#n",
    "#missing",
    "pk",
    "sk",
    "doc",
    "list",
    "key",
    "`",
    "'",
    "\"",
    "\u0000",
    "\u00e9",
    "\ud83d\ude00",
    "#",
    ":",
    " ",
    "\t\n",
    "SELECT",
    "*",
    "a.b.c",
    "pk.sk[1][2].x",
    "#n.#n[3]"
  };
  private static final String[] ATTRIBUTE_TYPES = {
    "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS", "X", "s", ""
  };
  private static final String[] WEIRD_NUMBERS = {
    "",
    " ",
    "1e126",
    "1e-131",
    "-1e126",
    "1E+125",
    "9.9999999999999999999999999999999999999E+125",
    "123456789012345678901234567890123456789",
    "0x10",
    "NaN",
    "Infinity",
    "-0",
    "+1",
    "1.",
    ".5",
    "1e",
    "--1",
    "1e2147483648",
    "1e-2147483649",
    "00001",
    "1,5",
    "١٢٣",
    "1_000",
    "0e999999999"
  };
  private static final String[] OPERATIONS_NOT_BUILT = {
    "ExecuteStatement", "BatchExecuteStatement", "ExportTableToPointInTime", "ListStreams",
    "GetRecords", "CreateGlobalTable", "ListContributorInsights", "ImportTable"
  };

  private final RequestCorpus corpus;
  private final List<String> operations;
  private final List<String> memberNames = RequestCorpus.memberNames();

  Mutator(RequestCorpus corpus, List<String> operations) {
    this.corpus = corpus;
    this.operations = operations;
  }

  /** The request numbered {@code index} of the run seeded {@code seed}. */
  FuzzRequest make(long seed, long index) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
    String op = operations.get(r.nextInt(operations.size()));
    int kind = r.nextInt(100);
    if (kind < 62) {
      ObjectNode req = corpus.request(op, r);
      int n = 1 + r.nextInt(3);
      StringBuilder how = new StringBuilder("mutated " + op + ":");
      JsonNode mutated = req;
      for (int i = 0; i < n; i++) {
        mutated = mutateTree(mutated, r, how);
      }
      return post(how.toString(), target(op), bytes(mutated));
    }
    if (kind < 70) {
      return post("valid " + op, target(op), bytes(corpus.request(op, r)));
    }
    if (kind < 80) {
      return post("random members for " + op, target(op), bytes(randomMembers(r)));
    }
    if (kind < 90) {
      return brokenBody(op, r);
    }
    return brokenFraming(op, r);
  }

  private static String target(String op) {
    return op.startsWith(RequestCorpus.STREAMS) ? op : "DynamoDB_20120810." + op;
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return RequestCorpus.JSON.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static FuzzRequest post(String label, String target, byte[] body) {
    String head =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
            + "X-Amz-Target: "
            + target
            + "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=fuzz/20240101/us-east-1/dynamodb/"
            + "aws4_request, SignedHeaders=host;x-amz-target, Signature=00\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n\r\n";
    return new FuzzRequest(label, head.getBytes(StandardCharsets.ISO_8859_1), body, false);
  }

  // ---- tree mutations ---------------------------------------------------------------------

  private JsonNode mutateTree(JsonNode root, Random r, StringBuilder how) {
    List<JsonNode[]> slots = new ArrayList<>(); // {parent, child}
    collect(root, slots);
    if (slots.isEmpty()) {
      how.append(" replaced root;");
      return randomValue(r, 3);
    }
    JsonNode[] slot = slots.get(r.nextInt(slots.size()));
    JsonNode parent = slot[0];
    JsonNode child = slot[1];
    int what = r.nextInt(10);
    JsonNode replacement;
    switch (what) {
      case 0 -> {
        remove(parent, child);
        how.append(" removed a member;");
        return root;
      }
      case 1 -> {
        if (parent instanceof ObjectNode o) {
          String name = memberNames.get(r.nextInt(memberNames.size()));
          o.set(r.nextBoolean() ? name : randomString(r), randomValue(r, 3));
          how.append(" added ").append(name).append(';');
          return root;
        }
        replacement = randomValue(r, 3);
      }
      case 2 -> replacement = weirdAttributeValue(r);
      case 3 -> replacement = child.isTextual() ? F.textNode(mutateText(child.asText(), r)) : null;
      case 4 -> replacement = F.textNode(hugeString(r));
      case 5 -> replacement = deepValue(r, 20 + r.nextInt(30));
      case 6 ->
          replacement =
              child.isArray() && child.size() > 0
                  ? duplicateOrGrow((ArrayNode) child.deepCopy(), r)
                  : F.arrayNode();
      case 7 -> replacement = weirdNumberNode(r);
      default -> replacement = randomValue(r, 2);
    }
    if (replacement == null) {
      replacement = randomValue(r, 2);
    }
    how.append(" replaced a ").append(child.getNodeType()).append(';');
    replace(parent, child, replacement);
    return root;
  }

  private static void collect(JsonNode node, List<JsonNode[]> slots) {
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        slots.add(new JsonNode[] {node, child});
        collect(child, slots);
      }
    }
  }

  private static void remove(JsonNode parent, JsonNode child) {
    if (parent instanceof ObjectNode o) {
      String name = nameOf(o, child);
      if (name != null) {
        o.remove(name);
      }
    } else if (parent instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i) == child) {
          a.remove(i);
          return;
        }
      }
    }
  }

  private static void replace(JsonNode parent, JsonNode child, JsonNode with) {
    if (parent instanceof ObjectNode o) {
      String name = nameOf(o, child);
      if (name != null) {
        o.set(name, with);
      }
    } else if (parent instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i) == child) {
          a.set(i, with);
          return;
        }
      }
    }
  }

  private static String nameOf(ObjectNode o, JsonNode child) {
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      if (e.getValue() == child) {
        return e.getKey();
      }
    }
    return null;
  }

  private static ArrayNode duplicateOrGrow(ArrayNode a, Random r) {
    int copies = r.nextBoolean() ? 1 : 30 + r.nextInt(120);
    JsonNode first = a.get(0);
    for (int i = 0; i < copies; i++) {
      a.add(first.deepCopy());
    }
    return a;
  }

  String mutateText(String s, Random r) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + r.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = b.length() == 0 ? 0 : r.nextInt(b.length() + 1);
      switch (r.nextInt(5)) {
        case 0 -> b.insert(at, EXPRESSION_TOKENS[r.nextInt(EXPRESSION_TOKENS.length)]);
        case 1 -> {
          if (b.length() > 0) {
            b.delete(at == b.length() ? at - 1 : at, Math.min(b.length(), at + 1 + r.nextInt(8)));
          }
        }
        case 2 -> b.insert(at, (char) r.nextInt(0x3000));
        case 3 -> b.setLength(Math.min(b.length(), at));
        default -> b.insert(at, " " + EXPRESSION_TOKENS[r.nextInt(EXPRESSION_TOKENS.length)] + " ");
      }
    }
    return b.toString();
  }

  // ---- values -----------------------------------------------------------------------------

  JsonNode randomValue(Random r, int depth) {
    int k = r.nextInt(depth <= 0 ? 7 : 10);
    return switch (k) {
      case 0 -> F.textNode(randomString(r));
      case 1 -> F.numberNode(r.nextLong());
      case 2 -> F.numberNode(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
      case 3 -> F.booleanNode(r.nextBoolean());
      case 4 -> F.nullNode();
      case 5 -> weirdNumberNode(r);
      case 6 -> F.textNode("");
      case 7 -> {
        ArrayNode a = F.arrayNode();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.add(randomValue(r, depth - 1));
        }
        yield a;
      }
      case 8 -> weirdAttributeValue(r);
      default -> {
        ObjectNode o = F.objectNode();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          String name =
              r.nextBoolean() ? memberNames.get(r.nextInt(memberNames.size())) : randomString(r);
          o.set(name, randomValue(r, depth - 1));
        }
        yield o;
      }
    };
  }

  private static JsonNode weirdNumberNode(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> F.numberNode(new java.math.BigInteger("9".repeat(1 + r.nextInt(60))));
      case 1 -> F.numberNode(Long.MIN_VALUE);
      case 2 -> F.numberNode(new java.math.BigDecimal("1e" + (r.nextInt(800) - 400)));
      case 3 -> F.numberNode(-1);
      case 4 -> F.numberNode(Integer.MAX_VALUE + 1L);
      default -> F.numberNode(0);
    };
  }

  JsonNode weirdAttributeValue(Random r) {
    ObjectNode av = F.objectNode();
    String type = ATTRIBUTE_TYPES[r.nextInt(ATTRIBUTE_TYPES.length)];
    switch (r.nextInt(8)) {
      case 0 -> av.put(type, WEIRD_NUMBERS[r.nextInt(WEIRD_NUMBERS.length)]);
      case 1 -> av.set(type, randomValue(r, 1));
      case 2 -> {
        ArrayNode set = av.putArray(type);
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          set.add(
              r.nextBoolean()
                  ? F.textNode(WEIRD_NUMBERS[r.nextInt(WEIRD_NUMBERS.length)])
                  : randomValue(r, 0));
        }
      }
      case 3 -> {
        av.put("S", "x");
        av.put(type, "1");
      }
      case 4 -> av.put("B", r.nextBoolean() ? "!!not base64!!" : "QQ");
      case 5 -> av.set("M", F.objectNode().set(randomString(r), weirdAttributeValue(r)));
      case 6 -> av.set("L", F.arrayNode().add(weirdAttributeValue(r)).add(F.nullNode()));
      default -> av.put(type, randomString(r));
    }
    return av;
  }

  private static JsonNode deepValue(Random r, int depth) {
    JsonNode inner = F.objectNode().put("S", "deep");
    for (int i = 0; i < depth; i++) {
      inner =
          r.nextBoolean()
              ? F.objectNode().set("L", F.arrayNode().add(inner))
              : F.objectNode().set("M", F.objectNode().set("k", inner));
    }
    return inner;
  }

  String randomString(Random r) {
    int kind = r.nextInt(8);
    return switch (kind) {
      case 0 -> "fuzz";
      case 1 -> "fuzz_b";
      case 2 -> "arn:aws:dynamodb:us-east-1:000000000000:table/fuzz/backup/" + r.nextInt(1000);
      case 3 -> EXPRESSION_TOKENS[r.nextInt(EXPRESSION_TOKENS.length)];
      case 4 -> {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(300);
        for (int i = 0; i < n; i++) {
          b.append((char) (r.nextInt(0xD7FF) + 1));
        }
        yield b.toString();
      }
      case 5 -> "x".repeat(r.nextInt(300));
      case 6 -> "#n";
      default -> Long.toString(r.nextLong(), 36);
    };
  }

  private static String hugeString(Random r) {
    // Sizes around the limits that matter: 255-byte names, 64 KB, the 400 KB item, 1 MB pages.
    int[] sizes = {256, 1025, 65_536, 409_601, 1_100_000};
    int size = sizes[r.nextInt(r.nextInt(10) == 0 ? sizes.length : 3)];
    return String.valueOf((char) ('a' + r.nextInt(26))).repeat(size);
  }

  private ObjectNode randomMembers(Random r) {
    ObjectNode o = F.objectNode();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      o.set(memberNames.get(r.nextInt(memberNames.size())), randomValue(r, 3));
    }
    return o;
  }

  // ---- bodies and framing -----------------------------------------------------------------

  private FuzzRequest brokenBody(String op, Random r) {
    byte[] valid = bytes(corpus.request(op, r));
    int k = r.nextInt(10);
    byte[] body;
    String label;
    switch (k) {
      case 0 -> {
        body = java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
        label = "truncated JSON";
      }
      case 1 -> {
        body = new byte[r.nextInt(2000)];
        r.nextBytes(body);
        label = "random bytes";
      }
      case 2 -> {
        body = valid.clone();
        for (int i = 0; i < 1 + r.nextInt(5); i++) {
          body[r.nextInt(body.length)] = (byte) r.nextInt(256);
        }
        label = "flipped bytes";
      }
      case 3 -> {
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        int depth = 500 + r.nextInt(3000);
        body = (open.repeat(depth)).getBytes(StandardCharsets.UTF_8);
        label = "deep nesting " + depth;
      }
      case 4 -> {
        body =
            (new String(valid, StandardCharsets.UTF_8) + (r.nextBoolean() ? "}" : " {\"x\":1}"))
                .getBytes(StandardCharsets.UTF_8);
        label = "trailing garbage";
      }
      case 5 -> {
        String[] tops = {"[]", "null", "1", "\"s\"", "true", "[{}]", "{}", "{\"TableName\":"};
        body = tops[r.nextInt(tops.length)].getBytes(StandardCharsets.UTF_8);
        label = "non-object";
      }
      case 6 -> {
        body =
            ("{\"TableName\":\"fuzz\",\"TableName\":\"fuzz_b\",\"Key\":{\"pk\":{\"S\":\"a\"},"
                    + "\"pk\":{\"N\":\"1\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        label = "duplicate members";
      }
      case 7 -> {
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        String s = new String(valid, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("\":\"") + 3;
        body = new byte[valid.length + bad.length];
        System.arraycopy(valid, 0, body, 0, at);
        System.arraycopy(bad, 0, body, at, bad.length);
        System.arraycopy(valid, at, body, at + bad.length, valid.length - at);
        label = "invalid UTF-8";
      }
      case 8 -> {
        body =
            ("{\"TableName\":\"fuzz\",\"Limit\":"
                    + "9".repeat(1 + r.nextInt(5000))
                    + ",\"x\":NaN, /* c */ \"y\":'q'}")
                .getBytes(StandardCharsets.UTF_8);
        label = "long number and non-JSON tokens";
      }
      default -> {
        body = "\uFEFF{\"TableName\":\"fuzz\"}".getBytes(StandardCharsets.UTF_8);
        label = "byte order mark";
      }
    }
    return post(label + " for " + op, target(op), body);
  }

  private FuzzRequest brokenFraming(String op, Random r) {
    byte[] body = bytes(corpus.request(op, r));
    String auth =
        "Authorization: AWS4-HMAC-SHA256 Credential=fuzz/20240101/us-east-1/dynamodb/aws4_request,"
            + " SignedHeaders=host, Signature=00\r\n";
    String target = "X-Amz-Target: " + target(op) + "\r\n";
    String type = "Content-Type: application/x-amz-json-1.0\r\n";
    String method = "POST";
    String path = "/";
    String extra = "";
    String length = "Content-Length: " + body.length + "\r\n";
    boolean halfClose = false;
    String label;
    switch (r.nextInt(14)) {
      case 0 -> {
        String[] targets = {
          "",
          "DynamoDB_20120810",
          "DynamoDB_20120810.",
          "dynamodb_20120810." + op,
          "DynamoDB_20120810." + op.toLowerCase(java.util.Locale.ROOT),
          "DynamoDB_20111205." + op,
          "DynamoDBStreams_20120810." + op,
          "DynamoDBStreams_20120810.GetRecords",
          "DynamoDB_20120810.DynamoDBStreams_20120810.GetRecords",
          "DynamoDB_20120810." + OPERATIONS_NOT_BUILT[r.nextInt(OPERATIONS_NOT_BUILT.length)],
          "DynamoDB_20120810." + op + "\u00e9",
          "x".repeat(5000)
        };
        target = "X-Amz-Target: " + targets[r.nextInt(targets.length)] + "\r\n";
        label = "bad target";
      }
      case 1 -> {
        target = "";
        label = "no target";
      }
      case 2 -> {
        String[] types = {
          "text/plain", "application/xml", "", "application/x-amz-json-1.0;;;", "*/*"
        };
        type = "Content-Type: " + types[r.nextInt(types.length)] + "\r\n";
        label = "bad content type";
      }
      case 3 -> {
        String[] methods = {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "CONNECT"};
        method = methods[r.nextInt(methods.length)];
        label = "method " + method;
      }
      case 4 -> {
        String[] auths = {
          "Authorization: garbage\r\n",
          "Authorization: AWS4-HMAC-SHA256\r\n",
          "Authorization: AWS4-HMAC-SHA256 Credential=\r\n",
          "Authorization: AWS4-HMAC-SHA256 Credential=a/b, Signature=\r\n",
          "Authorization: Bearer x\r\n",
          ""
        };
        auth = auths[r.nextInt(auths.length)];
        label = "bad authorization";
      }
      case 5 -> {
        extra = "Content-Encoding: gzip\r\n";
        label = "claims gzip";
      }
      case 6 -> {
        length = "Content-Length: " + (body.length + 1 + r.nextInt(100)) + "\r\n";
        halfClose = true;
        label = "body shorter than Content-Length";
      }
      case 7 -> {
        String[] lengths = {"-1", "abc", "99999999999999999999", "1, 2", " "};
        length = "Content-Length: " + lengths[r.nextInt(lengths.length)] + "\r\n";
        halfClose = true;
        label = "invalid Content-Length";
      }
      case 8 -> {
        length = "Transfer-Encoding: chunked\r\n";
        String hex = Integer.toHexString(body.length);
        byte[] chunked =
            (hex + "\r\n" + new String(body, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        if (r.nextBoolean()) {
          chunked = java.util.Arrays.copyOf(chunked, r.nextInt(chunked.length));
          halfClose = true;
          label = "truncated chunked body";
        } else {
          label = "chunked body";
        }
        body = chunked;
      }
      case 9 -> {
        extra = "X-Big: " + "h".repeat(9000 + r.nextInt(20000)) + "\r\n";
        label = "huge header";
      }
      case 10 -> {
        String[] paths = {"/%zz", "/../../etc/passwd", "/?a=%%%", "//", "/" + "p".repeat(3000)};
        path = paths[r.nextInt(paths.length)];
        label = "odd path";
      }
      case 11 -> {
        extra = "Expect: 100-continue\r\n";
        label = "expect continue";
      }
      case 12 -> {
        extra = "X-Amz-Target: DynamoDB_20120810.DeleteTable\r\n";
        label = "two targets";
      }
      default -> {
        extra = "Bad Header Without Colon\r\n\u0001: x\r\n";
        label = "malformed header line";
      }
    }
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + type
            + target
            + auth
            + extra
            + length
            + "\r\n";
    return new FuzzRequest(
        label + " for " + op, head.getBytes(StandardCharsets.UTF_8), body, halfClose);
  }

  /** A body over the 16 MB request limit, sent whole. */
  static FuzzRequest oversized() {
    byte[] body = new byte[17 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');
    body[0] = '{';
    body[body.length - 1] = '}';
    return post("17 MB body", "DynamoDB_20120810.PutItem", body);
  }
}
