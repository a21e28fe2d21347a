package dev.tidemark.cli;

import dev.tidemark.backup.store.BackupStoreSpec;
import dev.tidemark.backup.store.S3StoreConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the backup store is: the options shared by the server and by the commands that read the
 * store directly. The S3 connection itself follows the AWS SDK's standard configuration
 * (credentials chain, region, {@code AWS_ENDPOINT_URL_S3}); the flags here only override it.
 */
final class BackupStoreOptions {
  static final Path DEFAULT_DIR = Path.of("./tidemark-backups");

  @Option(
      names = "--backup-store",
      paramLabel = "URI",
      description =
          "The backup store: file://DIR, or s3://BUCKET/PREFIX for an S3 bucket (default:"
              + " file://./tidemark-backups).")
  String store;

  @Option(
      names = "--backup-dir",
      paramLabel = "DIR",
      description = "Directory for backups; the same as --backup-store file://DIR.")
  Path backupDir;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "S3-compatible service to use instead of AWS (MinIO, Ceph RGW, ...); default:"
              + " $AWS_ENDPOINT_URL_S3, else $AWS_ENDPOINT_URL.")
  String s3Endpoint;

  @Option(
      names = "--s3-path-style",
      description = "Address buckets as ENDPOINT/BUCKET (most self-hosted services need this).")
  boolean s3PathStyle;

  @Option(
      names = "--s3-unsafe-overwrites",
      description =
          "Start even if the S3 service does not refuse overwrites (If-None-Match: *); a manifest"
              + " or PITR segment could then be silently replaced. Logged as an error.")
  boolean s3UnsafeOverwrites;

  /** Whether any store option was given (some commands read the store only when told to). */
  boolean given() {
    return store != null || backupDir != null;
  }

  /**
   * The store these options name.
   *
   * @throws IllegalArgumentException for conflicting or malformed options
   */
  BackupStoreSpec spec(Map<String, String> env) {
    return spec(env, false);
  }

  /** As {@link #spec(Map)}; {@code s3Elsewhere}: another store (the cold one) is in S3. */
  BackupStoreSpec spec(Map<String, String> env, boolean s3Elsewhere) {
    if (store != null && backupDir != null) {
      throw new IllegalArgumentException("give --backup-store or --backup-dir, not both");
    }
    BackupStoreSpec spec =
        withS3Options(
            store != null
                ? BackupStoreSpec.parse(store)
                : new BackupStoreSpec.Directory(backupDir != null ? backupDir : DEFAULT_DIR),
            env);
    if (!s3Elsewhere
        && !(spec instanceof BackupStoreSpec.S3)
        && (s3Endpoint != null || s3PathStyle || s3UnsafeOverwrites)) {
      throw new IllegalArgumentException(
          "--s3-endpoint, --s3-path-style and --s3-unsafe-overwrites apply only to an s3:// store");
    }
    return spec;
  }

  /**
   * The cold tier's store ({@code --cold-backup-store}): parsed as {@code --backup-store} is, with
   * the same S3 options; it must not be the backup store itself.
   */
  BackupStoreSpec coldSpec(String uri, Map<String, String> env) {
    BackupStoreSpec cold = withS3Options(BackupStoreSpec.parse(uri), env);
    String a = location(cold);
    String b = location(spec(env, cold instanceof BackupStoreSpec.S3));
    // Nested stores would see each other's objects (listings, clean-up at start).
    if (a.startsWith(b) || b.startsWith(a)) {
      throw new IllegalArgumentException(
          "--cold-backup-store must be another location than the backup store, neither inside it"
              + " nor holding it");
    }
    return cold;
  }

  /** A store's location as a prefix ending in '/', to compare two stores. */
  private static String location(BackupStoreSpec spec) {
    String s =
        spec instanceof BackupStoreSpec.S3 s3
            ? s3.config().location()
            : "file://" + ((BackupStoreSpec.Directory) spec).root().toAbsolutePath().normalize();
    return s.endsWith("/") ? s : s + "/";
  }

  private BackupStoreSpec withS3Options(BackupStoreSpec spec, Map<String, String> env) {
    if (spec instanceof BackupStoreSpec.S3 s3) {
      S3StoreConfig.Builder config =
          s3.config().toBuilder().pathStyle(s3PathStyle).unsafeOverwrites(s3UnsafeOverwrites);
      String endpoint = s3Endpoint;
      if (endpoint == null) {
        endpoint = env.getOrDefault("AWS_ENDPOINT_URL_S3", env.get("AWS_ENDPOINT_URL"));
      }
      if (endpoint != null && !endpoint.isBlank()) {
        config.endpoint(endpointUri(endpoint));
      }
      return new BackupStoreSpec.S3(config.build());
    }
    return spec;
  }

  private static URI endpointUri(String endpoint) {
    try {
      return new URI(endpoint.trim());
    } catch (URISyntaxException e) {
      // The message would repeat the URL, which might carry credentials.
      throw new IllegalArgumentException("the S3 endpoint is not a valid URL");
    }
  }
}
