package dev.tidemark.backup.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.scheme.AuthSchemeOption;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignerProperty;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeParams;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Which uploads to the S3 store carry a SigV4 hash of their body, and which are sent with {@code
 * UNSIGNED-PAYLOAD}.
 *
 * <p>SigV4 can cover the body with its SHA-256, which the service recomputes: on a 1 GiB backup
 * that is a full SHA-256 pass on each side (over plain HTTP the SDK even signs every 128 KiB
 * chunk). Most of what the backup subsystem stores does not need it, because the object format
 * authenticates itself: {@link #isSealed sealed} objects are written by {@code
 * EncryptingOutputStream} (Tink's streaming AEAD, AES-GCM segments, with the object's name in the
 * associated data), so a byte changed in transit or at rest, a truncation, or another object's
 * bytes under this name, fails the read; a manifest or segment is never accepted on the service's
 * word. Those uploads (PutObject and UploadPart) go unsigned, over HTTP as over HTTPS, and carry no
 * extra checksum.
 *
 * <p>Every other upload (key material and passphrase slots in JSON, wrapped table keys, PITR
 * progress markers) keeps a signed body on every transport, HTTPS included, so that the service
 * refuses a body changed on the way. They are small. Requests without a body (GET, HEAD, LIST,
 * DELETE, CompleteMultipartUpload's small XML aside) are signed as before.
 *
 * <p>How: the SDK's SigV4 signer always signs the body of a plain-HTTP request, whatever {@link
 * AwsV4FamilyHttpSigner#PAYLOAD_SIGNING_ENABLED} says. The auth-scheme provider marks a sealed
 * upload, and the signer signs such a request as if it were HTTPS (the scheme is not part of a
 * SigV4 signature; the Host header, which is, is fixed from the real scheme and port first), then
 * restores the real scheme.
 */
final class S3PayloadSigning {
  /** Set on the uploads whose body authenticates itself. */
  static final SignerProperty<Boolean> SEALED_BODY =
      SignerProperty.create(S3PayloadSigning.class, "SealedBody");

  private S3PayloadSigning() {}

  /**
   * Whether objects of this name are always written in the sealed object format: backup data
   * objects ({@code tables/<table>/data/...}), manifests ({@code manifests/...}, PITR bases
   * included), and PITR segments and window state ({@code pitr/<table>/seg/...}, {@code
   * pitr/<table>/state/...}), all through {@code ObjectEncryption} or {@code
   * EncryptingOutputStream}.
   */
  static boolean isSealed(String name) {
    String[] parts = name.split("/", -1);
    if (parts.length < 2) {
      return false;
    }
    return switch (parts[0]) {
      case "manifests" -> true;
      case "tables" -> parts.length >= 4 && parts[2].equals("data");
      case "pitr" -> parts.length >= 4 && (parts[2].equals("seg") || parts[2].equals("state"));
      default -> false;
    };
  }

  /** The SDK's choice of auth scheme, with each upload marked sealed or signed. */
  static S3AuthSchemeProvider provider(String keyPrefix) {
    S3AuthSchemeProvider sdk = S3AuthSchemeProvider.defaultProvider();
    return params -> {
      List<AuthSchemeOption> options = sdk.resolveAuthScheme(params);
      if (!isUpload(params)) {
        return options;
      }
      boolean sealed =
          params.key().startsWith(keyPrefix)
              && isSealed(params.key().substring(keyPrefix.length()));
      return options.stream()
          .map(
              o ->
                  o.schemeId().equals(AwsV4AuthScheme.SCHEME_ID)
                      ? o.toBuilder()
                          .putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, !sealed)
                          .putSignerProperty(SEALED_BODY, sealed)
                          .build()
                      : o)
          .toList();
    };
  }

  private static boolean isUpload(S3AuthSchemeParams params) {
    return params.key() != null
        && ("PutObject".equals(params.operation()) || "UploadPart".equals(params.operation()));
  }

  /** SigV4 with {@link #signer()} in place of the SDK's own signer. */
  static AuthScheme<AwsCredentialsIdentity> authScheme() {
    HttpSigner<AwsCredentialsIdentity> signer = signer();
    return new AuthScheme<>() {
      @Override
      public String schemeId() {
        return AwsV4AuthScheme.SCHEME_ID;
      }

      @Override
      public IdentityProvider<AwsCredentialsIdentity> identityProvider(
          IdentityProviders providers) {
        return providers.identityProvider(AwsCredentialsIdentity.class);
      }

      @Override
      public HttpSigner<AwsCredentialsIdentity> signer() {
        return signer;
      }
    };
  }

  /** The SDK's SigV4 signer, but a sealed body over plain HTTP goes unsigned as over HTTPS. */
  static HttpSigner<AwsCredentialsIdentity> signer() {
    AwsV4HttpSigner v4 = AwsV4HttpSigner.create();
    return new HttpSigner<>() {
      @Override
      public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        SdkHttpRequest http = request.request();
        if (!Boolean.TRUE.equals(request.property(SEALED_BODY))
            || !"http".equals(http.protocol())) {
          return v4.sign(request);
        }
        SdkHttpRequest asHttps =
            http.toBuilder()
                .protocol("https")
                .putHeader("Host", http.firstMatchingHeader("Host").orElseGet(() -> host(http)))
                .build();
        SignedRequest signed = v4.sign(request.copy(b -> b.request(asHttps)));
        return signed.copy(
            b -> b.request(signed.request().toBuilder().protocol(http.protocol()).build()));
      }

      @Override
      public CompletableFuture<AsyncSignedRequest> signAsync(
          AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return v4.signAsync(request); // the store has no asynchronous client
      }
    };
  }

  /** The Host header the SDK signs for this request under its own scheme. */
  private static String host(SdkHttpRequest http) {
    return SdkHttpUtils.isUsingStandardPort(http.protocol(), http.port())
        ? http.host()
        : http.host() + ":" + http.port();
  }
}
