package dev.tidemark.protocol;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the errors Jetty raises itself before or around our handler (unparseable HTTP, headers
 * too large, 503 while draining at shutdown) in the DynamoDB error format, so an SDK sees an error
 * it can classify and retry instead of an HTML page.
 */
final class WireErrorHandler extends ErrorHandler {
  private final Supplier<String> requestIds;

  WireErrorHandler(Supplier<String> requestIds) {
    this.requestIds = requestIds;
    setShowStacks(false);
    setShowCauses(false);
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    // Jetty closes the connection after an error it raised itself (a request it could not parse
    // leaves the stream in an unknown state), but does not always say so. Without the header a
    // keep-alive client sends its next request into the closed socket and sees it dropped.
    response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
    Cors.decorate(request, response);
    int status = wireStatus(code);
    Wire.send(
        response,
        callback,
        status,
        Wire.errorBody(asError(status, message)),
        requestIds.get(),
        null);
  }

  // DynamoDB answers headers or a request line over its 16 KiB limit with a plain 400, where
  // Jetty would say 431 or 414; an SDK treats both the same way, as a request not to retry.
  private static int wireStatus(int jettyStatus) {
    return jettyStatus == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431
            || jettyStatus == HttpStatus.URI_TOO_LONG_414
        ? HttpStatus.BAD_REQUEST_400
        : jettyStatus;
  }

  // Jetty's status stays on the response; this only picks the type an SDK will read. Messages of
  // server-side failures are replaced, since they may describe our internals.
  private static DynamoException asError(int status, String reason) {
    if (status == HttpStatus.PAYLOAD_TOO_LARGE_413) {
      return new DynamoException(WireError.REQUEST_TOO_LARGE, "Request entity too large.");
    }
    if (status == HttpStatus.SERVICE_UNAVAILABLE_503) {
      return new DynamoException(
          WireError.SERVICE_UNAVAILABLE, "The server is shutting down or overloaded; retry.");
    }
    if (status >= 500) {
      return new DynamoException(
          WireError.INTERNAL_SERVER_ERROR, "The server encountered an internal error.");
    }
    String text = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
    if (text.length() > 120) {
      text = text.substring(0, 120) + "...";
    }
    return new DynamoException(
        WireError.SERIALIZATION, "The HTTP request could not be processed: " + text);
  }
}
