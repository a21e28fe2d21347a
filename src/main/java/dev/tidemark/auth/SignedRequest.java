package dev.tidemark.auth;

import java.util.Objects;
import java.util.function.Function;

/**
 * What an {@link Authenticator} may look at: everything SigV4 signs, and the address the request
 * came from (for {@code aws:SourceIp}). It is deliberately free of HTTP-server types so that
 * authentication can be tested and replaced without Jetty.
 *
 * @param method the HTTP method
 * @param path the raw request path
 * @param rawQuery the raw query string, or null
 * @param header looks up the first value of a header by case-insensitive name, or null
 * @param body the request body bytes; callers must not modify them
 * @param remoteAddress the client's IP address as text, or null when unknown
 * @param secure whether the request arrived over TLS ({@code aws:SecureTransport})
 */
public record SignedRequest(
    String method,
    String path,
    String rawQuery,
    Function<String, String> header,
    byte[] body,
    String remoteAddress,
    boolean secure) {
  public SignedRequest {
    Objects.requireNonNull(method);
    Objects.requireNonNull(path);
    Objects.requireNonNull(header);
    Objects.requireNonNull(body);
  }

  public SignedRequest(
      String method, String path, String rawQuery, Function<String, String> header, byte[] body) {
    this(method, path, rawQuery, header, body, null, false);
  }

  /** A request that arrived in plain HTTP. */
  public SignedRequest(
      String method,
      String path,
      String rawQuery,
      Function<String, String> header,
      byte[] body,
      String remoteAddress) {
    this(method, path, rawQuery, header, body, remoteAddress, false);
  }

  public String authorization() {
    return header.apply("Authorization");
  }
}
