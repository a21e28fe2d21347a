package dev.tidemark.protocol;

import dev.tidemark.errors.DynamoException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Supplier;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads the small bodies of the control-plane fronts (IAM, STS, AWS Backup) on a pool thread,
 * refusing one past {@code max} bytes whether or not it declared its length.
 */
public final class RequestBodies {
  private RequestBodies() {}

  /** What the gate sees of a request whose body was read: the parts SigV4 signs, and more. */
  public static dev.tidemark.auth.SignedRequest signed(Request request, byte[] body) {
    return new dev.tidemark.auth.SignedRequest(
        request.getMethod(),
        request.getHttpURI().getPath(),
        request.getHttpURI().getQuery(),
        request.getHeaders()::get,
        body,
        Request.getRemoteAddr(request),
        request.isSecure());
  }

  public static byte[] read(Request request, int max, Supplier<DynamoException> tooLarge)
      throws IOException {
    if (request.getLength() > max) {
      throw tooLarge.get();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var in = Content.Source.asInputStream(request)) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        if (out.size() > max) {
          throw tooLarge.get();
        }
      }
    }
    return out.toByteArray();
  }
}
