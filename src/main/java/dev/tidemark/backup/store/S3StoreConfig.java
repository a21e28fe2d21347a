package dev.tidemark.backup.store;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Where an {@link S3ObjectStore} lives and how to talk to it. Credentials are deliberately not a
 * field that can be printed: they come from the AWS SDK's default chain (environment, system
 * properties, profile, container or instance role) unless a test hands in a provider, and {@link
 * #toString()} names only where the store is.
 *
 * @param bucket the bucket, which must already exist
 * @param prefix the key prefix every object name is put under: empty, or ending with {@code /}
 * @param endpoint a non-AWS service (MinIO, Ceph RGW, S3Proxy); empty for AWS itself, or for the
 *     SDK's own {@code AWS_ENDPOINT_URL_S3} / {@code AWS_ENDPOINT_URL} settings
 * @param pathStyle address the bucket as {@code endpoint/bucket/key} rather than {@code
 *     bucket.endpoint/key}, as most self-hosted services need
 * @param region the signing region; empty for the SDK's default chain, else {@code us-east-1}
 * @param unsafeOverwrites start even where the service does not refuse a second conditional write
 *     of one name (a manifest or segment could then be silently replaced)
 * @param partSizeBytes objects up to this size are one PUT; larger ones are multipart uploads of
 *     parts this large (S3's minimum part size is 5 MiB)
 * @param maxAttempts attempts per request, the first included, for retryable failures (5xx,
 *     throttling, I/O errors), with exponential back-off and jitter
 * @param maxBackoff the longest wait between two attempts
 * @param credentials a credentials provider, or null for the SDK's default chain
 */
public record S3StoreConfig(
    String bucket,
    String prefix,
    Optional<URI> endpoint,
    boolean pathStyle,
    Optional<String> region,
    boolean unsafeOverwrites,
    int partSizeBytes,
    int maxAttempts,
    Duration maxBackoff,
    AwsCredentialsProvider credentials) {

  public static final int MIN_PART_SIZE = 5 << 20;
  public static final int DEFAULT_PART_SIZE = 8 << 20;
  public static final int DEFAULT_MAX_ATTEMPTS = 6;
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

  public S3StoreConfig {
    Objects.requireNonNull(bucket);
    Objects.requireNonNull(prefix);
    Objects.requireNonNull(endpoint);
    Objects.requireNonNull(region);
    Objects.requireNonNull(maxBackoff);
    // S3's bucket naming rules; dots are allowed, but not two in a row or next to a hyphen.
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
        || bucket.contains("..")
        || bucket.contains(".-")
        || bucket.contains("-.")) {
      throw new IllegalArgumentException(
          "'" + bucket + "' is not a valid S3 bucket name (3-63 characters of a-z, 0-9, . and -)");
    }
    if (!prefix.isEmpty()) {
      if (!prefix.endsWith("/")) {
        prefix = prefix + "/";
      }
      ObjectNames.validate(prefix.substring(0, prefix.length() - 1));
    }
    endpoint.ifPresent(S3StoreConfig::checkEndpoint);
    if (partSizeBytes < MIN_PART_SIZE) {
      throw new IllegalArgumentException(
          "the S3 part size must be at least 5 MiB (S3's minimum), not " + partSizeBytes);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt per S3 request, not " + maxAttempts);
    }
  }

  /** A store in {@code bucket} under {@code prefix} with every other setting at its default. */
  public static S3StoreConfig of(String bucket, String prefix) {
    return new S3StoreConfig(
        bucket,
        prefix,
        Optional.empty(),
        false,
        Optional.empty(),
        false,
        DEFAULT_PART_SIZE,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_MAX_BACKOFF,
        null);
  }

  /**
   * Parses {@code s3://BUCKET[/PREFIX]}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static S3StoreConfig parse(String uri) {
    if (!uri.startsWith("s3://")) {
      throw new IllegalArgumentException("an S3 store is s3://BUCKET[/PREFIX], not " + uri);
    }
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("an S3 store needs a bucket: s3://BUCKET[/PREFIX]");
    }
    return of(bucket, prefix);
  }

  private static void checkEndpoint(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "the S3 endpoint must be an http:// or https:// URL, not " + redact(uri));
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("the S3 endpoint has no host: " + redact(uri));
    }
    // Credentials in a URL end up in logs and process listings; the SDK's chain is the place.
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "the S3 endpoint must not carry credentials; give them through the AWS configuration"
              + " (environment, profile or role) instead");
    }
  }

  /** A URL with any user information removed, safe to print. */
  static String redact(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri.toString();
    }
    return uri.getScheme()
        + "://***@"
        + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  /** A copy to change settings of, as in {@code config.toBuilder().pathStyle(true).build()}. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes settings of a configuration; {@link #build()} validates them. */
  public static final class Builder {
    private String bucket;
    private String prefix;
    private Optional<URI> endpoint;
    private boolean pathStyle;
    private Optional<String> region;
    private boolean unsafeOverwrites;
    private int partSizeBytes;
    private int maxAttempts;
    private Duration maxBackoff;
    private AwsCredentialsProvider credentials;

    private Builder(S3StoreConfig c) {
      bucket = c.bucket;
      prefix = c.prefix;
      endpoint = c.endpoint;
      pathStyle = c.pathStyle;
      region = c.region;
      unsafeOverwrites = c.unsafeOverwrites;
      partSizeBytes = c.partSizeBytes;
      maxAttempts = c.maxAttempts;
      maxBackoff = c.maxBackoff;
      credentials = c.credentials;
    }

    public Builder endpoint(URI uri) {
      endpoint = Optional.ofNullable(uri);
      return this;
    }

    public Builder pathStyle(boolean on) {
      pathStyle = on;
      return this;
    }

    public Builder region(String name) {
      region = Optional.ofNullable(name);
      return this;
    }

    public Builder unsafeOverwrites(boolean on) {
      unsafeOverwrites = on;
      return this;
    }

    public Builder partSize(int bytes) {
      partSizeBytes = bytes;
      return this;
    }

    public Builder retries(int attempts, Duration backoffCap) {
      maxAttempts = attempts;
      maxBackoff = backoffCap;
      return this;
    }

    public Builder credentials(AwsCredentialsProvider provider) {
      credentials = provider;
      return this;
    }

    public S3StoreConfig build() {
      return new S3StoreConfig(
          bucket,
          prefix,
          endpoint,
          pathStyle,
          region,
          unsafeOverwrites,
          partSizeBytes,
          maxAttempts,
          maxBackoff,
          credentials);
    }
  }

  /** Where the store is, for logs: never credentials. */
  public String location() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public String toString() {
    return location()
        + endpoint.map(e -> " at " + redact(e)).orElse("")
        + (pathStyle ? " (path-style)" : "")
        + (unsafeOverwrites ? " (unsafe overwrites allowed)" : "");
  }
}
