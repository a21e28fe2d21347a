package dev.tidemark.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Requests signed by the SDK's AwsV4HttpSigner and sent as they are: IAM query-protocol calls (the
 * pinned SDK has no IAM client) and DynamoDB calls of any operation with any body.
 */
public final class SignedHttp {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  // java.net.http sets these itself and refuses them from callers.
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection");

  record Answer(int status, String body) {
    String element(String name) {
      Matcher m =
          Pattern.compile("<" + name + ">(.*?)</" + name + ">", Pattern.DOTALL).matcher(body);
      return m.find() ? m.group(1) : null;
    }
  }

  /** A REST answer: status, body and the {@code x-amzn-ErrorType} header (null on success). */
  public record RestAnswer(int status, String body, String errorType) {}

  private SignedHttp() {}

  /**
   * A restJson1 call (AWS Backup): {@code pathAndQuery} is sent as given (labels already
   * percent-encoded), {@code body} may be null for GET and DELETE.
   */
  public static RestAnswer rest(
      String endpoint, String id, String secret, String method, String pathAndQuery, String body)
      throws Exception {
    SdkHttpRequest.Builder b =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.fromValue(method))
            .uri(URI.create(endpoint + pathAndQuery));
    if (body != null) {
      b.putHeader("Content-Type", "application/json");
    }
    HttpResponse<String> res = exchange(b, id, secret, "backup", "us-east-1", body);
    return new RestAnswer(
        res.statusCode(), res.body(), res.headers().firstValue("x-amzn-ErrorType").orElse(null));
  }

  /**
   * A JSON POST to any path signed for {@code service} (the console's {@code /console/api/...}),
   * with extra headers (an {@code Origin}) sent as they are, unsigned.
   */
  public static RestAnswer post(
      String endpoint,
      String id,
      String secret,
      String service,
      String path,
      String body,
      java.util.Map<String, String> extra)
      throws Exception {
    SdkHttpRequest.Builder b =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(endpoint + path))
            .putHeader("Content-Type", "application/json");
    HttpResponse<String> res = exchange(b, id, secret, service, "us-east-1", body, extra);
    return new RestAnswer(
        res.statusCode(), res.body(), res.headers().firstValue("x-amzn-ErrorType").orElse(null));
  }

  static Answer send(
      String endpoint,
      String id,
      String secret,
      String service,
      String region,
      String contentType,
      String target,
      String body)
      throws Exception {
    SdkHttpRequest.Builder b =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(endpoint + "/"))
            .putHeader("Content-Type", contentType);
    if (target != null) {
      b.putHeader("X-Amz-Target", target);
    }
    HttpResponse<String> res = exchange(b, id, secret, service, region, body);
    return new Answer(res.statusCode(), res.body());
  }

  /** Signs the request as the SDK would and sends it as signed; a null body sends none. */
  private static HttpResponse<String> exchange(
      SdkHttpRequest.Builder b,
      String id,
      String secret,
      String service,
      String region,
      String body)
      throws Exception {
    return exchange(b, id, secret, service, region, body, java.util.Map.of());
  }

  private static HttpResponse<String> exchange(
      SdkHttpRequest.Builder b,
      String id,
      String secret,
      String service,
      String region,
      String body,
      java.util.Map<String, String> extra)
      throws Exception {
    var signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(id, secret))
                        .request(b.build())
                        .payload(ContentStreamProvider.fromUtf8String(body == null ? "" : body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.systemUTC()));
    HttpRequest.Builder req =
        HttpRequest.newBuilder(b.build().getUri())
            .method(
                b.method().name(),
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    signed
        .request()
        .forEachHeader(
            (k, v) -> {
              if (!RESTRICTED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                req.header(k, v.get(0));
              }
            });
    extra.forEach(req::header);
    return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An IAM call: {@code params} is the form body without Version. */
  static Answer iam(String endpoint, String id, String secret, String params) throws Exception {
    return send(
        endpoint,
        id,
        secret,
        "iam",
        "us-east-1",
        "application/x-www-form-urlencoded; charset=utf-8",
        null,
        params + "&Version=2010-05-08");
  }

  static Answer dynamo(String endpoint, String id, String secret, String target, String body)
      throws Exception {
    return send(
        endpoint, id, secret, "dynamodb", "us-east-1", "application/x-amz-json-1.0", target, body);
  }

  static String form(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }
}
