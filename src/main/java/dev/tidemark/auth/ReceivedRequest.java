package dev.tidemark.auth;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * A received request as the SDK's {@code V4CanonicalRequest} reads it: the method, the path, the
 * query parameters and exactly the headers the client signed, as received. A plain view over maps
 * the verifier has already built, rather than {@code SdkHttpRequest.builder()}'s validated,
 * case-folded and copied request: the canonical request, its header folding, sorting and trimming
 * stay the SDK's own, only the copies are left out. The SDK builds a request of its own when {@link
 * #toBuilder()} is asked for, which the canonical request never does.
 *
 * @param headers the signed headers by the names the client listed, each with its one value
 */
record ReceivedRequest(
    SdkHttpMethod method,
    String encodedPath,
    Map<String, List<String>> rawQueryParameters,
    Map<String, List<String>> headers)
    implements SdkHttpRequest {

  // The host the canonical request is built for is the signed Host header; these only make
  // getUri() (path normalization) well-formed, as the builder's protocol("http").host(...) did.
  @Override
  public String protocol() {
    return "http";
  }

  @Override
  public String host() {
    return "localhost";
  }

  @Override
  public int port() {
    return 80;
  }

  @Override
  public Builder toBuilder() {
    Builder b =
        SdkHttpRequest.builder()
            .method(method)
            .protocol(protocol())
            .host(host())
            .encodedPath(encodedPath)
            .rawQueryParameters(rawQueryParameters);
    headers.forEach(b::putHeader);
    return b;
  }
}
