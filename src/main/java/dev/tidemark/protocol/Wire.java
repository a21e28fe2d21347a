package dev.tidemark.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.errors.DynamoException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
  private static final HttpField TEXT_TYPE_FIELD =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
  // DynamoDB names itself "Server" on every answer; some clients log or check the header.
  private static final HttpField SERVER_FIELD =
      new PreEncodedHttpField(HttpHeader.SERVER, "Server");
  private static final HttpField[] CONTENT_ENCODING_FIELDS = {
    new PreEncodedHttpField(HttpHeader.CONTENT_ENCODING, ContentCodings.Coding.GZIP.token),
    new PreEncodedHttpField(HttpHeader.CONTENT_ENCODING, ContentCodings.Coding.DEFLATE.token)
  };

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

  /**
   * Adds the headers every response carries. The CRC32 is of the bytes sent, compressed or not:
   * that is what the SDKs check.
   */
  static void putHeaders(HttpFields.Mutable headers, String requestId, byte[] body) {
    headers.put(CONTENT_TYPE_FIELD);
    headers.put(SERVER_FIELD);
    headers.put(REQUEST_ID_HEADER, requestId);
    headers.put(CRC32_HEADER, crc32(body));
  }

  /**
   * Sends a JSON body.
   *
   * @param coding how {@code body} is already encoded, or null when it is plain
   */
  static void send(
      Response response,
      Callback callback,
      int status,
      byte[] body,
      String requestId,
      ContentCodings.Coding coding) {
    response.setStatus(status);
    HttpFields.Mutable headers = response.getHeaders();
    putHeaders(headers, requestId, body);
    if (coding != null) {
      headers.put(CONTENT_ENCODING_FIELDS[coding.ordinal()]);
    }
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** Sends a refusal: its status and its error body, uncompressed. */
  static void sendError(
      Response response, Callback callback, DynamoException refusal, String requestId) {
    send(response, callback, refusal.error().httpStatus(), errorBody(refusal), requestId, null);
  }

  /** Sends a plain-text body (the health check, a preflight's empty answer). */
  static void sendText(
      Response response, Callback callback, int status, String text, String requestId) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(TEXT_TYPE_FIELD);
    headers.put(SERVER_FIELD);
    headers.put(REQUEST_ID_HEADER, requestId);
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  static String crc32(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return Long.toString(crc.getValue());
  }
}
