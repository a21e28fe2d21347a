package dev.tidemark.protocol;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Cross-origin headers for browser clients, as DynamoDB sends them: any request carrying {@code
 * Origin} (success or error, any method) is answered with {@code Access-Control-Allow-Origin: *}
 * and the response headers a script may read; a preflight additionally echoes the method and
 * headers it asked for. Without {@code Origin} nothing is added.
 */
final class Cors {
  /** DynamoDB lets browsers cache a preflight for two days. */
  static final String MAX_AGE_SECONDS = "172800";

  private static final HttpField ALLOW_ANY_ORIGIN =
      new PreEncodedHttpField(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
  private static final HttpField EXPOSE =
      new PreEncodedHttpField(
          HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS,
          "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date");
  private static final HttpField MAX_AGE =
      new PreEncodedHttpField(HttpHeader.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);

  private Cors() {}

  /** Adds the headers every answer to a cross-origin request carries; one lookup otherwise. */
  static void decorate(Request request, Response response) {
    if (request.getHeaders().contains(HttpHeader.ORIGIN)) {
      HttpFields.Mutable headers = response.getHeaders();
      headers.put(ALLOW_ANY_ORIGIN);
      headers.put(EXPOSE);
    }
  }

  /** The preflight's own headers: what was asked for is allowed, verbatim. */
  static void preflight(Request request, Response response) {
    HttpFields requested = request.getHeaders();
    if (!requested.contains(HttpHeader.ORIGIN)) {
      return;
    }
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(MAX_AGE);
    String method = requested.get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
    if (method != null) {
      headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, method);
    }
    String names = requested.get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
    if (names != null) {
      headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, names);
    }
  }
}
