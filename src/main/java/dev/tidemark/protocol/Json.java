package dev.tidemark.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The one ObjectMapper of the wire layer, and the writer of every response body.
 *
 * <p>Responses are written by walking the tree here rather than by Jackson's node serialisers, for
 * one reason: a long string that needs no escaping (most stored text: printable ASCII) is written
 * as raw bytes, checked eight bytes at a time. Jackson checks and copies each character on its own,
 * which was a quarter of a Query's CPU with 4 KB items.
 */
final class Json {
  // Trailing bytes after the object mean the client framed the request wrongly; DynamoDB refuses.
  // Jackson's default name limit (50,000 characters) is below DynamoDB's 65,535-byte attribute
  // names; the body limit bounds names instead, and the API layer refuses names DynamoDB refuses.
  static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNameLength((int) HttpServer.Limits.DEFAULT_MAX_BODY_BYTES)
                          .build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Below this many characters the check and the extra copy do not pay for themselves. */
  private static final int RAW_MIN_CHARS = 64;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private Json() {}

  static byte[] write(JsonNode node) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(512)) {
      try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
        write(g, node);
      }
      return out.toByteArray();
    } catch (IOException e) {
      // A tree of plain JSON nodes always serialises; reaching this is a bug, answered as a 500.
      throw new UncheckedIOException(e);
    }
  }

  private static void write(JsonGenerator g, JsonNode node) throws IOException {
    if (node.isObject()) {
      g.writeStartObject();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        g.writeFieldName(field.getKey());
        write(g, field.getValue());
      }
      g.writeEndObject();
    } else if (node.isArray()) {
      g.writeStartArray();
      for (JsonNode element : node) {
        write(g, element);
      }
      g.writeEndArray();
    } else if (node.isTextual()) {
      writeString(g, node.textValue());
    } else {
      MAPPER.writeTree(g, node);
    }
  }

  private static void writeString(JsonGenerator g, String s) throws IOException {
    if (s.length() >= RAW_MIN_CHARS) {
      // For ASCII text this is one intrinsic array copy; other text has more bytes than chars.
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      if (utf8.length == s.length() && needsNoEscaping(utf8)) {
        g.writeRawUTF8String(utf8, 0, utf8.length);
        return;
      }
    }
    g.writeString(s);
  }

  /** True when every byte is printable ASCII other than the quote and the backslash. */
  static boolean needsNoEscaping(byte[] b) {
    int i = 0;
    for (; i + 8 <= b.length; i += 8) {
      long w = (long) LONGS.get(b, i);
      long high = w & HIGHS; // a byte of 0x80 or more
      long control = (w - 0x2020202020202020L) & ~w & HIGHS; // below 0x20, when no byte is high
      long quote = zeroByte(w ^ 0x2222222222222222L);
      long backslash = zeroByte(w ^ 0x5C5C5C5C5C5C5C5CL);
      long delete = zeroByte(w ^ 0x7F7F7F7F7F7F7F7FL);
      if ((high | control | quote | backslash | delete) != 0) {
        return false;
      }
    }
    for (; i < b.length; i++) {
      int c = b[i];
      if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  // Non-zero exactly when some byte of x is zero (the classic has-a-zero-byte test).
  private static long zeroByte(long x) {
    return (x - ONES) & ~x & HIGHS;
  }
}
