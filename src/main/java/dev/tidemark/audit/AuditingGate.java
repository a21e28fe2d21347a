package dev.tidemark.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.Authenticator;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.Principal;
import dev.tidemark.auth.SigV4Header;
import dev.tidemark.auth.SignedRequest;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate with its audit trail: wraps the {@link Authenticator} every front calls, so the trail
 * sits in the one place every request of every API passes, and no action records anything itself.
 *
 * <ul>
 *   <li>Every refusal of the gate (authentication or authorization), of any operation, is recorded.
 *   <li>Every admitted control-plane operation ({@link AuditScope}) is recorded with its outcome:
 *       success, or the error type the client got.
 *   <li>A control-plane change's record (admitted or refused) is on disk before its answer is sent;
 *       while the trail cannot be written, changes are refused with ServiceUnavailable before they
 *       run, so nothing changes unrecorded.
 *   <li>Admitted data-plane operations (items, queries, scans, batches, transactions, stream
 *       records) are not recorded: they pay one map lookup.
 * </ul>
 */
public final class AuditingGate implements Authenticator {
  private static final Logger log = LoggerFactory.getLogger(AuditingGate.class);

  /** The ARNs a request names, worked out from its operation and parameters. */
  @FunctionalInterface
  public interface Resources {
    /**
     * @param caller the verified caller, or null (refused, or open mode)
     */
    List<String> of(String operation, JsonNode input, Principal caller);
  }

  private final Authenticator inner;
  private final AuditLog trail;
  private final Resources resources;
  private final LongSupplier clock;

  public AuditingGate(
      Authenticator inner, AuditLog trail, Resources resources, LongSupplier clock) {
    this.inner = Objects.requireNonNull(inner);
    this.trail = Objects.requireNonNull(trail);
    this.resources = Objects.requireNonNull(resources);
    this.clock = Objects.requireNonNull(clock);
  }

  @Override
  public CallerIdentity authenticate(SignedRequest request) {
    return inner.authenticate(request);
  }

  @Override
  public String ownerOf(String accessKeyId) {
    return inner.ownerOf(accessKeyId);
  }

  @Override
  public CallerIdentity admit(SignedRequest request, String operation, JsonNode input) {
    try {
      return inner.admit(request, operation, input);
    } catch (DynamoException refusal) {
      AuditRecord r = refused(request, operation, input, refusal);
      if (AuditScope.of(operation) == AuditScope.Kind.WRITE) {
        // On a pool thread (control-plane changes never run on a network thread): worth the wait.
        writeDurably(r, false);
      } else {
        trail.append(r);
      }
      throw refusal;
    }
  }

  @Override
  public <T> T serve(SignedRequest request, String operation, JsonNode input, Work<T> work) {
    AuditScope.Kind kind = AuditScope.of(operation);
    CallerIdentity caller = admit(request, operation, input);
    if (kind == AuditScope.Kind.DATA) {
      return work.run(caller);
    }
    boolean change = kind == AuditScope.Kind.WRITE;
    if (change && trail.failure() != null) {
      throw new DynamoException(
          WireError.SERVICE_UNAVAILABLE,
          "The audit trail cannot be written, so changes are refused until it can; the server log"
              + " says why.");
    }
    T out;
    try {
      out = work.run(caller);
    } catch (DynamoException e) {
      record(
          admitted(request, operation, input, caller, AuditRecord.Outcome.Failed, e), change, true);
      throw e;
    } catch (RuntimeException e) {
      record(
          admitted(
              request,
              operation,
              input,
              caller,
              AuditRecord.Outcome.Failed,
              new DynamoException(WireError.INTERNAL_SERVER_ERROR, "internal error")),
          change,
          true);
      throw e;
    }
    record(
        admitted(request, operation, input, caller, AuditRecord.Outcome.Success, null),
        change,
        false);
    return out;
  }

  private void record(AuditRecord r, boolean durably, boolean failing) {
    if (durably) {
      writeDurably(r, !failing);
    } else {
      trail.append(r);
    }
  }

  /**
   * Writes a record and waits for the disk. When that fails after the operation already ran, the
   * client is told so (InternalServerError) rather than being sent a success whose record is
   * missing; a refusal or failure keeps its own answer.
   */
  private void writeDurably(AuditRecord r, boolean succeeded) {
    try {
      trail.appendDurably(r);
    } catch (IOException e) {
      log.error("Audit record not written: {}", r.toJson(), e);
      if (succeeded) {
        throw new DynamoException(
            WireError.INTERNAL_SERVER_ERROR,
            "The operation was carried out, but its audit record could not be written; the"
                + " server log has the record.");
      }
    }
  }

  private AuditRecord admitted(
      SignedRequest request,
      String operation,
      JsonNode input,
      CallerIdentity caller,
      AuditRecord.Outcome outcome,
      DynamoException error) {
    Principal p = caller.principal();
    return new AuditRecord(
        clock.getAsLong(),
        p == null ? null : p.arn(),
        p == null ? nullIfAnonymous(caller.accessKeyId()) : p.accessKeyId(),
        p != null,
        request.remoteAddress(),
        request.secure(),
        AuditScope.action(operation),
        AuditScope.of(operation) == AuditScope.Kind.READ,
        resourcesOf(operation, input, p),
        outcome,
        error == null ? null : error.error().typeName(),
        error == null ? null : error.getMessage());
  }

  private AuditRecord refused(
      SignedRequest request, String operation, JsonNode input, DynamoException refusal) {
    String keyId = keyIdOf(request);
    AuditRecord.Outcome outcome =
        switch (refusal.error()) {
          case ACCESS_DENIED -> AuditRecord.Outcome.Denied;
          case MISSING_AUTHENTICATION_TOKEN,
                  INCOMPLETE_SIGNATURE,
                  INVALID_SIGNATURE,
                  UNRECOGNIZED_CLIENT ->
              AuditRecord.Outcome.Unauthenticated;
          default -> AuditRecord.Outcome.Refused;
        };
    return new AuditRecord(
        clock.getAsLong(),
        keyId == null ? null : inner.ownerOf(keyId),
        keyId,
        outcome == AuditRecord.Outcome.Denied,
        request.remoteAddress(),
        request.secure(),
        AuditScope.action(operation),
        AuditScope.of(operation) == AuditScope.Kind.READ,
        resourcesOf(operation, input, null),
        outcome,
        refusal.error().typeName(),
        refusal.getMessage());
  }

  private List<String> resourcesOf(String operation, JsonNode input, Principal caller) {
    try {
      List<String> r = resources.of(operation, input, caller);
      return r == null ? List.of() : r;
    } catch (RuntimeException e) {
      // Parameters the action will refuse anyway; the record still says who tried what.
      return List.of();
    }
  }

  /** The access key id a request claims, whether or not its signature holds. */
  private static String keyIdOf(SignedRequest request) {
    String authorization = request.authorization();
    if (authorization == null) {
      return null;
    }
    try {
      return SigV4Header.parse(authorization).caller().accessKeyId();
    } catch (RuntimeException malformed) {
      return null;
    }
  }

  private static String nullIfAnonymous(String keyId) {
    return "anonymous".equals(keyId) ? null : keyId;
  }
}
