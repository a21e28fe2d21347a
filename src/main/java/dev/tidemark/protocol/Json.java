package dev.tidemark.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/** The one ObjectMapper of the wire layer; building one per request would cost more than a call. */
final class Json {
  // Trailing bytes after the object mean the client framed the request wrongly; DynamoDB refuses.
  static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  static byte[] write(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      // A tree of plain JSON nodes always serialises; reaching this is a bug, answered as a 500.
      throw new UncheckedIOException(e);
    }
  }
}
