package dev.tidemark.auth;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Headers of a DynamoDB request signed by the SDK's AwsV4HttpSigner, as the SDKs sign them. */
final class SdkSigning {
  private SdkSigning() {}

  static Map<String, String> signed(
      String id, String secret, String target, String body, Instant at) {
    return signed("http://127.0.0.1:8000", id, secret, target, body, at);
  }

  /** As sent to {@code endpoint}, whose host and port the signature covers. */
  static Map<String, String> signed(
      String endpoint, String id, String secret, String target, String body, Instant at) {
    SdkHttpRequest req =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create(endpoint + "/"))
            .putHeader("Content-Type", "application/x-amz-json-1.0")
            .putHeader("X-Amz-Target", target)
            .putHeader("User-Agent", "aws-sdk-java/2 test")
            .build();
    var signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(id, secret))
                        .request(req)
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(
                            AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    signed.request().forEachHeader((k, v) -> headers.put(k, v.get(0)));
    return headers;
  }
}
