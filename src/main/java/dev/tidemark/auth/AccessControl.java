package dev.tidemark.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.tables.TableCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * IAM mode: the one gate every request of every API passes. It verifies the SigV4 signature ({@link
 * SigV4Verifier}), works out the permissions the operation needs ({@link DynamoPermissions}, {@link
 * IamPermissions}) and evaluates the caller's policies on each ({@link PolicyEvaluator}). The
 * account root, whose key the first start creates, may do everything, as on AWS. An operation no
 * permission table knows is refused to everyone else.
 */
public final class AccessControl implements Authenticator, Visibility {
  private final SigV4Verifier verifier;
  private final IdentityStore identities;
  private final DynamoPermissions dynamo;
  private final IamPermissions iam;
  private final BackupPermissions backup;
  private final String region;
  private final Set<String> regions;
  private final Set<String> queryRegions;
  private final LongSupplier clock;
  private final ResourcePolicyLookup resourcePolicies;
  private final PolicyDecisions decisions = new PolicyDecisions();

  /**
   * The gate as the server assembles it, over the server's tables: their partition keys name {@code
   * dynamodb:LeadingKeys}, and their resource-based policies take part in every decision (and may
   * name only principals that exist). The only way to build one, so that tests and benchmarks go
   * through the path requests take.
   */
  public static AccessControl forTables(
      IdentityStore identities, TableCatalog catalog, String region, LongSupplier clock) {
    String account = identities.account();
    // The principals new resource-based policies name are this server's users and roles.
    catalog.resourcePolicies().checkPrincipalsWith(identities::principalExists);
    return new AccessControl(
        identities,
        new DynamoPermissions(
            region,
            account,
            table ->
                catalog.find(table).map(t -> t.definition().keySchema().hashName()).orElse(null)),
        region,
        clock,
        new ResourcePolicyLookup(region, account, catalog));
  }

  private AccessControl(
      IdentityStore identities,
      DynamoPermissions dynamo,
      String region,
      LongSupplier clock,
      ResourcePolicyLookup resourcePolicies) {
    this.identities = identities;
    this.verifier = new SigV4Verifier(identities, clock);
    this.dynamo = dynamo;
    this.iam = new IamPermissions(identities);
    this.backup = new BackupPermissions(region, identities.account());
    this.region = region;
    this.regions = Set.of(region);
    // IAM is a global service signed for us-east-1; STS clients sign for theirs or us-east-1. The
    // SDKs' IAM clients built for Region.AWS_GLOBAL with an endpoint override sign "aws-global".
    this.queryRegions = Set.copyOf(java.util.List.of(region, "us-east-1", "aws-global"));
    this.clock = clock;
    this.resourcePolicies = resourcePolicies;
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
      List<PolicyDocument> policies = identities.policiesOf(caller);
      for (Check c : checks) {
        Check withPolicy = withResourcePolicy(c);
        PolicyEvaluator.Verdict v =
            decisions.decide(policies, withPolicy, caller, c.facts().over(global));
        if (v != PolicyEvaluator.Verdict.ALLOW) {
          throw denied(caller, c.action(), c.resource(), v);
        }
      }
      if (operation.equals("PutResourcePolicy")) {
        refuseSelfLockout(input, caller, policies, global);
      }
    } else if (checks != null && !query && !rest) {
      rootBoundByResourcePolicies(checks, caller, request, input, operation);
    }
    return identity(caller, service);
  }

  /**
   * Decided as {@link #admit} decides each check, without refusing: the root is bound only by
   * resource-based denies; any other caller needs an allow and no deny. A caller without a verified
   * principal (never admitted here) sees nothing.
   */
  @Override
  public boolean allows(SignedRequest request, CallerIdentity admitted, Check c) {
    Principal caller = admitted.principal();
    if (caller == null) {
      return false;
    }
    Facts global = globalFacts(caller, request);
    if (caller.isRoot()) {
      PolicyDocument rp = resourcePolicies == null ? null : resourcePolicies.find(c.resource());
      return rp == null || !PolicyEvaluator.resourceDenies(rp, c, caller, c.facts().over(global));
    }
    return PolicyEvaluator.decide(
            identities.policiesOf(caller), withResourcePolicy(c), caller, c.facts().over(global))
        == PolicyEvaluator.Verdict.ALLOW;
  }

  /**
   * The check with the resource-based policy of its resource, when it has one: what every decision
   * of this gate evaluates, and what AWS Backup's job roles are decided on too ({@code
   * managed.BackupRoles}), so that a table's policy binds a job as it binds a request.
   */
  public Check withResourcePolicy(Check c) {
    if (c.resourcePolicy() != null) {
      return c;
    }
    PolicyDocument rp = resourcePolicies.find(c.resource());
    return rp == null ? c : new Check(c.action(), c.resource(), c.facts(), rp, false);
  }

  /**
   * The account root is bound by an explicit Deny in a resource-based policy, except for
   * DeleteResourcePolicy: as on DynamoDB, the root can always remove a policy that locks everyone
   * out. It must still not be able to attach one that locks itself out unconfirmed.
   */
  private void rootBoundByResourcePolicies(
      List<Check> checks, Principal caller, SignedRequest request, JsonNode input, String op) {
    Facts global = null;
    for (Check c : checks) {
      if (c.action().equals("dynamodb:DeleteResourcePolicy")) {
        continue;
      }
      PolicyDocument rp = resourcePolicies.find(c.resource());
      if (rp != null) {
        global = global == null ? globalFacts(caller, request) : global;
        if (PolicyEvaluator.resourceDenies(rp, c, caller, c.facts().over(global))) {
          throw denied(caller, c.action(), c.resource(), PolicyEvaluator.Verdict.RESOURCE_DENY);
        }
      }
    }
    if (op.equals("PutResourcePolicy")) {
      refuseSelfLockout(
          input, caller, List.of(), global == null ? globalFacts(caller, request) : global);
    }
  }

  /**
   * PutResourcePolicy's guard against locking oneself out: unless {@code
   * ConfirmRemoveSelfResourceAccess} is true, the caller must still be allowed to put a policy on
   * the resource once the new one is in force. A document that does not parse is left to the
   * action, which refuses it with DynamoDB's validation message.
   */
  private static void refuseSelfLockout(
      JsonNode input, Principal caller, List<PolicyDocument> identity, Facts global) {
    JsonNode confirm = input == null ? null : input.get("ConfirmRemoveSelfResourceAccess");
    JsonNode policy = input == null ? null : input.get("Policy");
    JsonNode arn = input == null ? null : input.get("ResourceArn");
    if ((confirm != null && confirm.isBoolean() && confirm.booleanValue())
        || policy == null
        || !policy.isTextual()
        || arn == null
        || !arn.isTextual()) {
      return;
    }
    PolicyDocument next;
    try {
      next = PolicyDocument.parse(policy.textValue(), PolicyDocument.Kind.RESOURCE);
    } catch (PolicyDocument.MalformedPolicyException e) {
      return;
    }
    Check again =
        new Check("dynamodb:PutResourcePolicy", arn.textValue(), new Facts(), next, false);
    boolean lockedOut =
        caller.isRoot()
            ? PolicyEvaluator.resourceDenies(next, again, caller, again.facts().over(global))
            : PolicyEvaluator.decide(identity, again, caller, again.facts().over(global))
                != PolicyEvaluator.Verdict.ALLOW;
    if (lockedOut) {
      throw new DynamoException(
          WireError.ACCESS_DENIED,
          "The new resource policy will not allow you to update the resource policy in the"
              + " future.");
    }
  }

  @Override
  public String ownerOf(String accessKeyId) {
    SigV4Verifier.KeyRecord k = accessKeyId == null ? null : identities.find(accessKeyId);
    return k == null ? null : k.principal().arn();
  }

  private CallerIdentity identity(Principal p, String service) {
    return new CallerIdentity(p.accessKeyId(), region, service, true, p);
  }

  private Facts globalFacts(Principal caller, SignedRequest request) {
    Clock t = time(clock.getAsLong() / 1000);
    return Facts.later(
        principalFacts(caller),
        REQUEST_KEYS,
        f ->
            f.putLower("aws:sourceip", request.remoteAddress())
                .putLower("aws:currenttime", t.iso())
                .putLower("aws:epochtime", t.epochSecond())
                .putLower("aws:securetransport", request.secure() ? "true" : "false"));
  }

  private static final Set<String> REQUEST_KEYS =
      Set.of("aws:sourceip", "aws:currenttime", "aws:epochtime", "aws:securetransport");

  /**
   * The condition keys that depend on the caller alone, built once per principal (its ARNs are
   * concatenated, its token's issue time formatted) rather than on every request.
   */
  private Facts principalFacts(Principal caller) {
    Facts f = byPrincipal.get(caller);
    if (f == null) {
      f =
          new Facts()
              .putLower("aws:principalarn", caller.principalArn())
              .putLower("aws:principalaccount", caller.account())
              .putLower("aws:principaltype", caller.principalType())
              .putLower("aws:username", caller.userName())
              .putLower("aws:userid", caller.userId())
              .putLower(
                  "aws:tokenissuetime",
                  caller.session() == null
                      ? null
                      : Instant.ofEpochMilli(caller.session().issuedMillis()).toString())
              .putLower("aws:requestedregion", region);
      if (byPrincipal.size() >= 10_000) {
        // Role sessions come and go; dropping all at once is simpler than an LRU and rare.
        byPrincipal.clear();
      }
      byPrincipal.put(caller, f);
    }
    return f;
  }

  private final Map<Principal, Facts> byPrincipal = new ConcurrentHashMap<>();

  /**
   * The time condition keys of one second; formatting an instant per request showed in profiles.
   */
  private record Clock(long second, String iso, String epochSecond) {}

  private volatile Clock lastSecond = new Clock(-1, "", "");

  private Clock time(long second) {
    Clock c = lastSecond;
    if (c.second() != second) {
      c = new Clock(second, Instant.ofEpochSecond(second).toString(), Long.toString(second));
      lastSecond = c;
    }
    return c;
  }

  /** IAM's refusal, in AWS's words. */
  static DynamoException denied(
      Principal caller, String action, String resource, boolean explicit) {
    return denied(
        caller,
        action,
        resource,
        explicit
            ? PolicyEvaluator.Verdict.IDENTITY_DENY
            : PolicyEvaluator.Verdict.NO_IDENTITY_ALLOW);
  }

  static DynamoException denied(
      Principal caller, String action, String resource, PolicyEvaluator.Verdict why) {
    String reason =
        switch (why) {
          case IDENTITY_DENY -> " with an explicit deny in an identity-based policy";
          case RESOURCE_DENY -> " with an explicit deny in a resource-based policy";
          case NO_RESOURCE_ALLOW ->
              " because no resource-based policy allows the " + action + " action";
          default -> " because no identity-based policy allows the " + action + " action";
        };
    return new DynamoException(
        WireError.ACCESS_DENIED,
        "User: "
            + caller.arn()
            + " is not authorized to perform: "
            + action
            + " on resource: "
            + resource
            + reason);
  }
}
