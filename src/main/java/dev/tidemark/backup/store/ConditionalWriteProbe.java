package dev.tidemark.backup.store;

import java.io.IOException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Finds out whether an S3 service enforces {@code If-None-Match: *}, which the store's immutability
 * rests on: it creates a probe key, then tries to create it again with a PutObject and with a
 * CompleteMultipartUpload; both must be refused (412). Services that ignore the header answer 200
 * and overwrite; others answer 501 NotImplemented. The probe key starts with {@code .}, so it is
 * never a valid object name and never listed, and it is deleted afterwards.
 */
final class ConditionalWriteProbe {
  /** Whether the service refused both overwrites, and if not, what it did instead. */
  record Result(boolean enforced, String detail) {}

  private final S3ObjectStore store;

  ConditionalWriteProbe(S3ObjectStore store) {
    this.store = store;
  }

  Result run() throws IOException {
    S3Client s3 = store.client();
    String bucket = store.bucket();
    String key = store.probeKey();
    String where = "s3://" + bucket + "/" + key;
    try {
      try {
        s3.putObject(
            r -> r.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromString("first"));
      } catch (AwsServiceException e) {
        // 412 here can only be an SDK retry of a put whose answer was lost: the key is random.
        if (e.statusCode() != 412) {
          if (unsupported(e)) {
            return new Result(false, "PutObject with If-None-Match: * answered " + code(e));
          }
          throw S3ObjectStore.failure("PutObject (conditional write probe)", where, e);
        }
      }
      try {
        s3.putObject(
            r -> r.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromString("second"));
        return new Result(
            false, "a second PutObject with If-None-Match: * of one key replaced the first");
      } catch (AwsServiceException e) {
        if (e.statusCode() != 412) {
          if (unsupported(e)) {
            return new Result(false, "PutObject with If-None-Match: * answered " + code(e));
          }
          throw S3ObjectStore.failure("PutObject (conditional write probe)", where, e);
        }
      }
      return probeMultipart(s3, bucket, key, where);
    } catch (SdkException e) {
      throw S3ObjectStore.failure("conditional write probe", where, e);
    } finally {
      try {
        s3.deleteObject(r -> r.bucket(bucket).key(key));
      } catch (SdkException e) {
        // Harmless: the probe key is never listed.
      }
    }
  }

  private static Result probeMultipart(S3Client s3, String bucket, String key, String where)
      throws IOException {
    String uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
    try {
      String etag =
          s3.uploadPart(
                  r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                  RequestBody.fromString("third"))
              .eTag();
      try {
        s3.completeMultipartUpload(
            r ->
                r.bucket(bucket)
                    .key(key)
                    .uploadId(uploadId)
                    .ifNoneMatch("*")
                    .multipartUpload(
                        m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        return new Result(
            false, "a CompleteMultipartUpload with If-None-Match: * replaced an existing object");
      } catch (AwsServiceException e) {
        if (e.statusCode() == 412) {
          return new Result(true, "PutObject and CompleteMultipartUpload refuse overwrites");
        }
        if (unsupported(e)) {
          return new Result(
              false, "CompleteMultipartUpload with If-None-Match: * answered " + code(e));
        }
        throw S3ObjectStore.failure("CompleteMultipartUpload (conditional write probe)", where, e);
      }
    } finally {
      try {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
      } catch (SdkException e) {
        // Already completed or gone.
      }
    }
  }

  private static boolean unsupported(AwsServiceException e) {
    return e.statusCode() == 501 || e.statusCode() == 400;
  }

  private static String code(AwsServiceException e) {
    return e.statusCode()
        + (e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorCode());
  }
}
