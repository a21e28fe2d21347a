package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * IAM mode: the one gate every request of every API passes. It verifies the SigV4 signature ({@link
 * SigV4Verifier}), works out the permissions the operation needs ({@link DynamoPermissions}, {@link
 * IamPermissions}) and evaluates the caller's policies on each ({@link PolicyEvaluator}). The
 * account root, whose key the first start creates, may do everything, as on AWS. An operation no
 * permission table knows is refused to everyone else.
 */
public final class AccessControl implements Authenticator {
  private final SigV4Verifier verifier;
  private final IdentityStore identities;
  private final DynamoPermissions dynamo;
  private final IamPermissions iam;
  private final BackupPermissions backup;
  private final String region;
  private final Set<String> regions;
  private final Set<String> queryRegions;
  private final LongSupplier clock;

  public AccessControl(
      IdentityStore identities, DynamoPermissions dynamo, String region, LongSupplier clock) {
    this.identities = identities;
    this.verifier = new SigV4Verifier(identities, clock);
    this.dynamo = dynamo;
    this.iam = new IamPermissions(identities);
    this.backup = new BackupPermissions(region, identities.account());
    this.region = region;
    this.regions = Set.of(region);
    // IAM is a global service signed for us-east-1; STS clients sign for theirs or us-east-1.
    this.queryRegions = Set.copyOf(java.util.List.of(region, "us-east-1"));
    this.clock = clock;
  }

  @Override
  public CallerIdentity authenticate(SignedRequest request) {
    return identity(verifier.verify(request, regions, "dynamodb"), "dynamodb");
  }

  @Override
  public CallerIdentity admit(SignedRequest request, String operation, JsonNode input) {
    boolean query = operation.startsWith("iam:") || operation.startsWith("sts:");
    boolean rest = operation.startsWith("backup:");
    String service = query ? operation.substring(0, 3) : rest ? "backup" : "dynamodb";
    Principal caller = verifier.verify(request, query ? queryRegions : regions, service);
    List<Check> checks =
        query
            ? iam.checks(operation, input, caller)
            : rest ? backup.checks(operation, input) : dynamo.checks(operation, input);
    if (!caller.isRoot()) {
      if (checks == null) {
        throw denied(caller, operation, "*", false);
      }
      Facts global = globalFacts(caller, request);
      List<PolicyDocument> policies = identities.policiesOf(caller.userName());
      for (Check c : checks) {
        Facts facts = c.facts().copy();
        global.copyInto(facts);
        PolicyEvaluator.Decision d =
            PolicyEvaluator.evaluate(policies, c.action(), c.resource(), facts);
        if (d != PolicyEvaluator.Decision.ALLOW) {
          throw denied(
              caller, c.action(), c.resource(), d == PolicyEvaluator.Decision.EXPLICIT_DENY);
        }
      }
    }
    return identity(caller, service);
  }

  private CallerIdentity identity(Principal p, String service) {
    return new CallerIdentity(p.accessKeyId(), region, service, true, p);
  }

  private Facts globalFacts(Principal caller, SignedRequest request) {
    long now = clock.getAsLong();
    return new Facts()
        .put("aws:SourceIp", request.remoteAddress())
        .put("aws:CurrentTime", Instant.ofEpochMilli(now).toString())
        .put("aws:EpochTime", Long.toString(now / 1000))
        // TLS is not served yet: every request arrives in plain HTTP.
        .put("aws:SecureTransport", "false")
        .put("aws:PrincipalArn", caller.arn())
        .put("aws:PrincipalAccount", caller.account())
        .put("aws:PrincipalType", "User")
        .put("aws:username", caller.userName())
        .put("aws:userid", caller.userId())
        .put("aws:RequestedRegion", region);
  }

  /** IAM's refusal, in AWS's words. */
  static DynamoException denied(
      Principal caller, String action, String resource, boolean explicit) {
    String why =
        explicit
            ? " with an explicit deny in an identity-based policy"
            : " because no identity-based policy allows the " + action + " action";
    return new DynamoException(
        WireError.ACCESS_DENIED,
        "User: "
            + caller.arn()
            + " is not authorized to perform: "
            + action
            + " on resource: "
            + resource
            + why);
  }
}
