package dev.tidemark.backup.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which backup store a server or command uses: a directory ({@code file://DIR}, or {@code
 * --backup-dir DIR}) or an S3 bucket ({@code s3://BUCKET/PREFIX}).
 */
public sealed interface BackupStoreSpec {

  /** Opens the store; an {@link S3ObjectStore} probes its service first and must be closed. */
  ObjectStore open() throws IOException;

  /**
   * Opens the store to read it while a server may own it: nothing is cleaned up, probed or created
   * ({@code tidemark backup list|verify}, {@code tidemark pitr status}).
   */
  ObjectStore openForReading() throws IOException;

  /** Where the store is, for logs and messages; never credentials. */
  String describe();

  /**
   * Where the master key is created when none is configured: beside a directory store. An S3 store
   * has no such place (the key must never be in the bucket, and one created on this host would be
   * lost with it), so it needs a configured key.
   */
  Optional<Path> defaultKeyFile();

  /** A store in a directory, typically on another disk or mount than the data. */
  record Directory(Path root) implements BackupStoreSpec {
    public Directory {
      Objects.requireNonNull(root);
    }

    @Override
    public ObjectStore open() throws IOException {
      return new DirectoryObjectStore(root);
    }

    @Override
    public ObjectStore openForReading() throws IOException {
      return DirectoryObjectStore.forReading(root);
    }

    @Override
    public String describe() {
      return root.toAbsolutePath().normalize().toString();
    }

    @Override
    public Optional<Path> defaultKeyFile() {
      return Optional.of(root.toAbsolutePath().normalize().resolveSibling("tidemark-backup.key"));
    }
  }

  /** A store in an S3 bucket under a prefix. */
  record S3(S3StoreConfig config) implements BackupStoreSpec {
    public S3 {
      Objects.requireNonNull(config);
    }

    @Override
    public ObjectStore open() throws IOException {
      return S3ObjectStore.open(config);
    }

    @Override
    public ObjectStore openForReading() throws IOException {
      return S3ObjectStore.openForReading(config);
    }

    @Override
    public String describe() {
      return config.toString();
    }

    @Override
    public Optional<Path> defaultKeyFile() {
      return Optional.empty();
    }
  }

  /**
   * Parses {@code file://DIR} (an absolute or relative path: {@code file:///srv/backups}, {@code
   * file://./backups}) or {@code s3://BUCKET[/PREFIX]}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static BackupStoreSpec parse(String uri) {
    if (uri.startsWith("file://")) {
      String path = uri.substring("file://".length());
      if (path.isEmpty()) {
        throw new IllegalArgumentException("a directory store is file://DIR, not " + uri);
      }
      return new Directory(Path.of(path));
    }
    if (uri.startsWith("s3://")) {
      return new S3(S3StoreConfig.parse(uri));
    }
    throw new IllegalArgumentException(
        "a backup store is file://DIR or s3://BUCKET[/PREFIX], not '" + uri + "'");
  }
}
