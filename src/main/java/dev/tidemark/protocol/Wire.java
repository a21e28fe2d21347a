package dev.tidemark.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.CRC32;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** How every response, success or error, is framed on the wire. */
final class Wire {
  static final String CONTENT_TYPE = "application/x-amz-json-1.0";
  static final String REQUEST_ID_HEADER = "x-amzn-RequestId";
  static final String CRC32_HEADER = "x-amz-crc32";

  private static final HttpField CONTENT_TYPE_FIELD =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);

  private Wire() {}

  /**
   * The one place an error becomes a response body. DynamoDB puts the message under "message" for
   * most errors; the SDKs read either spelling. Extra fields (a failed condition's item, a
   * transaction's cancellation reasons) follow, but may not replace the type or the message.
   */
  static byte[] errorBody(DynamoException e) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("__type", e.error().qualifiedType());
    if (e.getMessage() != null) {
      body.put("message", e.getMessage());
    }
    ObjectNode extra = e.extra();
    if (extra != null) {
      for (Map.Entry<String, JsonNode> field : extra.properties()) {
        if (!body.has(field.getKey())) {
          body.set(field.getKey(), field.getValue());
        }
      }
    }
    return Json.write(body);
  }

  /** Adds the headers every response carries; the SDKs reject a body whose CRC32 differs. */
  static void putHeaders(HttpFields.Mutable headers, String requestId, byte[] body) {
    headers.put(CONTENT_TYPE_FIELD);
    headers.put(REQUEST_ID_HEADER, requestId);
    headers.put(CRC32_HEADER, crc32(body));
  }

  static void send(
      Response response, Callback callback, int status, byte[] body, String requestId) {
    response.setStatus(status);
    HttpFields.Mutable headers = response.getHeaders();
    putHeaders(headers, requestId, body);
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  static String crc32(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return Long.toString(crc.getValue());
  }
}
