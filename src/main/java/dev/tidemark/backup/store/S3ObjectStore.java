package dev.tidemark.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} in an S3 bucket (AWS S3 or any S3-compatible service), under a key prefix.
 * Object {@code a/b/c} is the key {@code <prefix>a/b/c}.
 *
 * <p>How the store's promises map onto S3:
 *
 * <ul>
 *   <li><b>Whole or not at all.</b> An object up to the part size is one PUT, which S3 makes
 *       visible atomically; a larger one is a multipart upload, visible only once
 *       CompleteMultipartUpload succeeds. An upload that is closed without a commit is aborted.
 *   <li><b>Immutable.</b> Every PUT and every CompleteMultipartUpload carries {@code If-None-Match:
 *       *}, so the service refuses (412) to replace an existing key. On a refusal the store reads
 *       the existing object and compares its SHA-256 and size with what it tried to write: the same
 *       bytes are a no-op (a retried put, or a response lost after the write), different bytes are
 *       {@link ObjectAlreadyExistsException}. {@link #open} probes that the service really refuses
 *       a second conditional write (some S3-compatible services ignore the header) and refuses to
 *       start otherwise.
 *   <li><b>Listing</b> is ListObjectsV2 by prefix, which S3 returns in UTF-8 byte order; names are
 *       ASCII, so that is {@link String} order. Keys under the prefix that are not valid object
 *       names (the probe's, or anything foreign) are never listed.
 *   <li><b>Names that cannot coexist on disk</b> ({@code a} and {@code a/b}) are refused here too,
 *       with a HEAD of each parent (remembered once a child is written) and one delimited listing
 *       per directory per process ({@link S3NameSpace}), so layouts keep working on every store.
 *       Like the directory store, this relies on one server owning a store.
 *   <li><b>Integrity in transit.</b> Uploads of objects the backup format seals (data objects,
 *       manifests, PITR segments and state: AES-GCM segments bound to the object's name) are sent
 *       with {@code UNSIGNED-PAYLOAD}: a changed byte fails the read, not the write. Every other
 *       upload keeps a SigV4-signed body on any transport, which the service checks, and is read
 *       with the service's checksum validated where it keeps one. See {@link S3PayloadSigning}.
 *   <li><b>Retries</b>: the SDK's standard strategy retries throttling, 5xx and I/O failures with
 *       jittered exponential back-off. Bodies are in memory (one part at a time), so any attempt
 *       can be repeated. A read that breaks off mid-object resumes with a ranged GET pinned to the
 *       object's ETag.
 * </ul>
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);
  private static final String PROBE_PREFIX = ".tidemark-probe-";
  private static final int MAX_RESUMES = 3;

  private final S3Client s3;
  private final S3StoreConfig config;
  private final String bucket;
  private final String prefix;
  private final SecureRandom random = new SecureRandom();

  private final S3NameSpace names =
      new S3NameSpace(
          new S3NameSpace.Service() {
            @Override
            public boolean isObject(String name) throws IOException {
              return exists(name);
            }

            @Override
            public Set<String> subdirectories(String dir) throws IOException {
              return S3ObjectStore.this.subdirectories(dir);
            }
          });

  private S3ObjectStore(S3Client s3, S3StoreConfig config) {
    this.s3 = s3;
    this.config = config;
    this.bucket = config.bucket();
    this.prefix = config.prefix();
  }

  /**
   * Connects, checks that the bucket is reachable and that the service enforces conditional writes,
   * and aborts multipart uploads an earlier process left unfinished under the prefix.
   *
   * @throws UnsafeObjectStoreException if conditional writes are not enforced and {@link
   *     S3StoreConfig#unsafeOverwrites()} is off
   * @throws IOException if the bucket cannot be reached; the message names the bucket, never the
   *     credentials
   */
  public static S3ObjectStore open(S3StoreConfig config) throws IOException {
    S3ObjectStore store = new S3ObjectStore(client(config), config);
    try {
      store.checkBucket();
      store.requireEnforcedConditionalWrites();
      store.abortAbandonedUploads();
      return store;
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Connects for reading only ({@code tidemark backup list}, {@code pitr status}): no probe, which
   * would need write access, and no clean-up of unfinished uploads, which may be a running
   * server's.
   */
  public static S3ObjectStore openForReading(S3StoreConfig config) throws IOException {
    S3ObjectStore store = new S3ObjectStore(client(config), config);
    try {
      store.checkBucket();
      return store;
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private void requireEnforcedConditionalWrites() throws IOException {
    ConditionalWriteProbe.Result probe = new ConditionalWriteProbe(this).run();
    if (!probe.enforced()) {
      if (!config.unsafeOverwrites()) {
        throw new UnsafeObjectStoreException(
            "the S3 service behind "
                + config.location()
                + " does not enforce conditional writes ("
                + probe.detail()
                + "), so a manifest or PITR segment could be silently overwritten and lost."
                + " Use a service that honours If-None-Match: * on PutObject and"
                + " CompleteMultipartUpload, or start with --s3-unsafe-overwrites to accept the"
                + " risk");
      }
      log.error(
          "UNSAFE BACKUP STORE: the S3 service behind {} does not enforce conditional writes"
              + " ({}). Starting anyway because --s3-unsafe-overwrites was given: an object"
              + " written twice (two servers on one store, a retried request racing another)"
              + " can replace a manifest or PITR segment without any error.",
          config.location(),
          probe.detail());
    }
  }

  private static S3Client client(S3StoreConfig config) {
    S3ClientBuilder builder =
        S3Client.builder()
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .maxConnections(32)
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(60)))
            .forcePathStyle(config.pathStyle())
            // No Expect: 100-continue before a body: it costs every upload of 1 MiB or more a
            // round trip and the service an interim answer. It only saves sending a body the
            // service refuses anyway (a 412 for an existing name, which is rare and is handled
            // the same after the body as before it).
            .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(false).build())
            // Bodies are covered by SigV4 or by the object format (S3PayloadSigning); the SDK's
            // extra CRC of every upload would only add a pass over the bytes and aws-chunked
            // framing for the service to undo.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            // Likewise on reads: a sealed object authenticates itself; getFrom asks for the
            // service's checksum of every other object.
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .authSchemeProvider(S3PayloadSigning.provider(config.prefix()))
            .putAuthScheme(S3PayloadSigning.authScheme())
            .credentialsProvider(
                config.credentials() != null
                    ? config.credentials()
                    : DefaultCredentialsProvider.builder().build())
            .region(region(config))
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(config.maxAttempts())
                            .backoffStrategy(
                                BackoffStrategy.exponentialDelay(
                                    Duration.ofMillis(100), config.maxBackoff()))
                            .throttlingBackoffStrategy(
                                BackoffStrategy.exponentialDelay(
                                    Duration.ofMillis(500), config.maxBackoff()))
                            // A store that fails for a while must not turn off retries for
                            // the rest of the process's life.
                            .circuitBreakerEnabled(false)
                            .build()));
    config.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  private static Region region(S3StoreConfig config) {
    if (config.region().isPresent()) {
      return Region.of(config.region().get());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkException e) {
      // Self-hosted services mostly ignore the region; AWS redirects a wrong one with an error
      // that names the right one.
      return Region.US_EAST_1;
    }
  }

  public S3StoreConfig config() {
    return config;
  }

  String key(String name) {
    return prefix + name;
  }

  private String where(String name) {
    return "s3://" + bucket + "/" + key(name);
  }

  private void checkBucket() throws IOException {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404) {
        throw new IOException(
            "the S3 bucket " + bucket + " does not exist (create it before starting Tidemark)");
      }
      if (e.statusCode() == 403) {
        throw new IOException(
            "access to the S3 bucket "
                + bucket
                + " was denied (check the credentials and the bucket's policy)");
      }
      throw failure("HeadBucket", "s3://" + bucket, e);
    } catch (SdkException e) {
      throw failure("HeadBucket", "s3://" + bucket, e);
    }
  }

  /**
   * An IOException for a failed request, with the service's error code but nothing from the request
   * itself (the SDK's messages never include credentials; neither do ours).
   */
  static IOException failure(String operation, String where, SdkException e) {
    String detail;
    if (e instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
      detail =
          ase.statusCode()
              + " "
              + ase.awsErrorDetails().errorCode()
              + ": "
              + ase.awsErrorDetails().errorMessage();
    } else {
      detail = e.getMessage();
    }
    if (e.getCause() instanceof InterruptedException
        || e.getCause() instanceof InterruptedIOException) {
      Thread.currentThread().interrupt();
    }
    return new IOException("S3 " + operation + " of " + where + " failed: " + detail, e);
  }

  /**
   * Each request is a round trip, so throughput needs several in flight; 8 stays well inside the
   * connection pool (32) and bounds the memory of buffered parts and prefetched objects.
   */
  @Override
  public int transfersInFlight() {
    return 8;
  }

  // ---- writes -----------------------------------------------------------------------------

  @Override
  public PendingObject create(String name) {
    return new S3Pending(ObjectNames.validate(name));
  }

  private final class S3Pending extends PendingObject {
    private PartBuffer buffer = new PartBuffer();
    private long total;

    /**
     * Of the parts shipped so far; the rest is in the buffer. Only a refused write needs the whole
     * digest, so a single-PUT object (nearly all of them) is never hashed here.
     */
    private final MessageDigest shipped = sha256();

    private String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private boolean done;

    S3Pending(String name) {
      super(name);
    }

    private void open() throws IOException {
      if (done) {
        throw new IOException("upload of " + name() + " is already committed or closed");
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      open();
      total += len;
      while (len > 0) {
        if (buffer.size() == config.partSizeBytes()) {
          uploadPart();
        }
        int n = Math.min(len, config.partSizeBytes() - buffer.size());
        buffer.write(b, off, n);
        off += n;
        len -= n;
      }
    }

    /**
     * The buffered bytes as a request body, not copied again; each attempt reads them afresh, and
     * the buffer is not touched until the request returns.
     */
    private RequestBody body() {
      PartBuffer bytes = buffer;
      return RequestBody.fromContentProvider(
          bytes::newStream, bytes.size(), "application/octet-stream");
    }

    /** Ships the full buffer as the next part, starting a multipart upload on the first. */
    private void uploadPart() throws IOException {
      try {
        if (uploadId == null) {
          uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key(name()))).uploadId();
        }
        buffer.digestInto(shipped);
        int number = parts.size() + 1;
        String etag =
            s3.uploadPart(
                    r ->
                        r.bucket(bucket)
                            .key(key(name()))
                            .uploadId(uploadId)
                            .partNumber(number)
                            .contentLength((long) buffer.size()),
                    body())
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        buffer.clear();
      } catch (SdkException e) {
        throw failure("UploadPart", where(name()), e);
      }
    }

    @Override
    public void commit() throws IOException {
      open();
      done = true;
      try {
        names.check(name());
        for (int attempt = 1; ; attempt++) {
          Outcome outcome = uploadId == null ? putWhole() : completeMultipart();
          if (outcome == Outcome.WRITTEN) {
            break;
          }
          if (outcome == Outcome.EXISTS) {
            buffer.digestInto(shipped);
            if (sameContent(name(), total, shipped.digest())) {
              break;
            }
            throw new ObjectAlreadyExistsException(name());
          }
          // CONFLICT: another conditional write of the name was in flight; S3 asks for a retry.
          if (attempt == 5) {
            throw new IOException(
                "S3 kept reporting conflicting concurrent writes of " + where(name()));
          }
          pause(Duration.ofMillis(100L << attempt));
        }
        names.written(name());
      } finally {
        buffer = null;
        abortUpload();
      }
    }

    private Outcome putWhole() throws IOException {
      try {
        s3.putObject(
            r ->
                r.bucket(bucket)
                    .key(key(name()))
                    .ifNoneMatch("*")
                    .contentLength((long) buffer.size()),
            body());
        return Outcome.WRITTEN;
      } catch (AwsServiceException e) {
        return refusal(e, "PutObject");
      } catch (SdkException e) {
        throw failure("PutObject", where(name()), e);
      }
    }

    private Outcome completeMultipart() throws IOException {
      if (buffer.size() > 0) {
        uploadPart();
      }
      try {
        s3.completeMultipartUpload(
            r ->
                r.bucket(bucket)
                    .key(key(name()))
                    .uploadId(uploadId)
                    .ifNoneMatch("*")
                    .multipartUpload(m -> m.parts(parts)));
        uploadId = null;
        return Outcome.WRITTEN;
      } catch (AwsServiceException e) {
        Outcome outcome = refusal(e, "CompleteMultipartUpload");
        if (outcome == Outcome.EXISTS) {
          // A completion whose answer was lost and that was retried is refused as well; the
          // upload is then gone. Either way nothing of this upload is needed any more.
          abortUpload();
        }
        return outcome;
      } catch (SdkException e) {
        throw failure("CompleteMultipartUpload", where(name()), e);
      }
    }

    private Outcome refusal(AwsServiceException e, String operation) throws IOException {
      if (e.statusCode() == 412) {
        return Outcome.EXISTS;
      }
      if (e.statusCode() == 409) {
        return Outcome.CONFLICT;
      }
      throw failure(operation, where(name()), e);
    }

    private void abortUpload() {
      if (uploadId == null) {
        return;
      }
      String id = uploadId;
      uploadId = null;
      try {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key(name())).uploadId(id));
      } catch (SdkException e) {
        // Parts of an aborted-but-not-acknowledged upload are invisible; the next start (or the
        // bucket's lifecycle rule) removes them.
        log.warn(
            "Could not abort the multipart upload of {}: {}",
            where(name()),
            failure("AbortMultipartUpload", where(name()), e).getMessage());
      }
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        buffer = null;
        abortUpload();
      }
    }
  }

  private enum Outcome {
    WRITTEN,
    EXISTS,
    CONFLICT
  }

  /** Whether the stored object has exactly {@code size} bytes hashing to {@code sha}. */
  private boolean sameContent(String name, long size, byte[] sha) throws IOException {
    OptionalLong stored = size(name);
    if (stored.isEmpty()) {
      // Deleted since the refusal; a second put would be racing a delete: report, do not guess.
      throw new IOException(
          "S3 refused to create " + where(name) + " as existing, but it is gone now");
    }
    if (stored.getAsLong() != size) {
      return false;
    }
    MessageDigest digest = sha256();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = get(name)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return MessageDigest.isEqual(digest.digest(), sha);
  }

  /** The immediate subdirectories of {@code dir}, for {@link S3NameSpace}. */
  private Set<String> subdirectories(String dir) throws IOException {
    Set<String> subdirectories = new HashSet<>();
    String from = key(dir);
    try {
      for (CommonPrefix p :
          s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(from).delimiter("/"))
              .commonPrefixes()) {
        subdirectories.add(p.prefix().substring(from.length(), p.prefix().length() - 1));
      }
    } catch (SdkException e) {
      throw failure("ListObjectsV2", where(dir), e);
    }
    return subdirectories;
  }

  // ---- reads ------------------------------------------------------------------------------

  @Override
  public InputStream get(String name) throws IOException {
    ObjectNames.validate(name);
    ResponseInputStream<GetObjectResponse> first = getFrom(name, 0, null);
    return new ResumingInputStream(name, first, first.response().eTag());
  }

  private ResponseInputStream<GetObjectResponse> getFrom(String name, long offset, String etag)
      throws IOException {
    try {
      return s3.getObject(
          r -> {
            r.bucket(bucket).key(key(name));
            if (!S3PayloadSigning.isSealed(name)) {
              r.checksumMode(ChecksumMode.ENABLED);
            }
            if (offset > 0) {
              r.range("bytes=" + offset + "-");
            }
            if (etag != null) {
              r.ifMatch(etag);
            }
          });
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404) {
        throw new NoSuchObjectException(name);
      }
      throw failure("GetObject", where(name), e);
    } catch (SdkException e) {
      throw failure("GetObject", where(name), e);
    }
  }

  /**
   * An object's bytes; a connection that breaks mid-object is resumed from the current offset with
   * a ranged GET that must match the first response's ETag (objects are immutable, but a deleted
   * and re-created name must not splice two objects). Callers still authenticate every byte.
   */
  private final class ResumingInputStream extends InputStream {
    private final String name;
    private final String etag;
    private ResponseInputStream<GetObjectResponse> in;
    private long position;
    private int resumes;
    private boolean eof;

    ResumingInputStream(String name, ResponseInputStream<GetObjectResponse> in, String etag) {
      this.name = name;
      this.in = in;
      this.etag = etag;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (true) {
        try {
          int n = in.read(b, off, len);
          if (n < 0) {
            eof = true;
          } else {
            position += n;
          }
          return n;
        } catch (IOException e) {
          if (resumes == MAX_RESUMES || Thread.currentThread().isInterrupted()) {
            throw new IOException(
                "reading " + where(name) + " broke off at byte " + position + ": " + e, e);
          }
          resumes++;
          log.debug("Resuming {} at byte {} after: {}", where(name), position, e.toString());
          in.abort();
          pause(Duration.ofMillis(200L * resumes));
          in = getFrom(name, position, etag);
        }
      }
    }

    @Override
    public void close() throws IOException {
      // Closing mid-object would otherwise drain the rest of it over the network.
      if (!eof) {
        in.abort();
      }
      in.close();
    }
  }

  @Override
  public OptionalLong size(String name) throws IOException {
    ObjectNames.validate(name);
    try {
      HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key(name)));
      return OptionalLong.of(head.contentLength());
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404) {
        return OptionalLong.empty();
      }
      throw failure("HeadObject", where(name), e);
    } catch (SdkException e) {
      throw failure("HeadObject", where(name), e);
    }
  }

  @Override
  public List<String> list(String namePrefix) throws IOException {
    ObjectNames.validatePrefix(namePrefix);
    List<String> names = new ArrayList<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(key(namePrefix))).contents()) {
        String name = o.key().substring(prefix.length());
        if (isObjectName(name)) {
          names.add(name);
        }
      }
    } catch (SdkException e) {
      throw failure("ListObjectsV2", where(namePrefix), e);
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public Map<String, Long> sizes(String namePrefix) throws IOException {
    ObjectNames.validatePrefix(namePrefix);
    Map<String, Long> sizes = new HashMap<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(key(namePrefix))).contents()) {
        String name = o.key().substring(prefix.length());
        if (isObjectName(name)) {
          sizes.put(name, o.size());
        }
      }
    } catch (SdkException e) {
      throw failure("ListObjectsV2", where(namePrefix), e);
    }
    return sizes;
  }

  private static boolean isObjectName(String name) {
    try {
      ObjectNames.validate(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public boolean delete(String name) throws IOException {
    // S3 answers a delete the same whether or not the key existed.
    boolean existed = exists(name);
    if (!existed) {
      return false;
    }
    try {
      s3.deleteObject(r -> r.bucket(bucket).key(key(name)));
      names.deleted(name);
    } catch (SdkException e) {
      throw failure("DeleteObject", where(name), e);
    }
    return true;
  }

  // ---- housekeeping -------------------------------------------------------------------------

  /**
   * Aborts multipart uploads under the prefix that a previous process left unfinished (a crash
   * mid-upload): their parts are invisible but cost storage. One server owns a store, so none of
   * them can still be in use. Services without the listing call are left to a lifecycle rule.
   */
  private void abortAbandonedUploads() {
    try {
      int aborted = 0;
      for (MultipartUpload u :
          s3.listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(prefix)).uploads()) {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
        aborted++;
      }
      if (aborted > 0) {
        log.info("Aborted {} unfinished multipart uploads under {}", aborted, config.location());
      }
    } catch (SdkException e) {
      log.info(
          "Could not list unfinished multipart uploads under {} ({}); a bucket lifecycle rule"
              + " should abort incomplete uploads",
          config.location(),
          failure("ListMultipartUploads", config.location(), e).getMessage());
    }
  }

  /** Raw access for the probe, which writes outside the object namespace. */
  S3Client client() {
    return s3;
  }

  String probeKey() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return prefix + PROBE_PREFIX + HexFormat.of().formatHex(b);
  }

  String bucket() {
    return bucket;
  }

  private static void pause(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while retrying an S3 request");
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return "S3ObjectStore[" + config + "]";
  }
}
