package dev.tidemark.auth;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * IAM's state: users, groups and their members, roles and their trust policies, access keys, inline
 * and managed policies (with versions) and their attachments, kept in the meta space under {@code
 * iam/...} (JSON values) and mirrored in memory, where requests read it without locks. Every change
 * is written and synced before it is answered, so it survives kill -9. Secrets are sealed by a
 * {@link SecretSealer}. The account root (the administrator) has access keys too, owned by no user.
 * Temporary credentials are not stored at all: their session token carries them ({@link
 * SessionTokens}).
 */
public final class IdentityStore implements SigV4Verifier.KeyLookup {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "iam/";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
  private static final char[] SECRET_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  /** A user. */
  public record User(String name, String id, String path, long createdMillis) {}

  /** A group of users; its policies apply to every member. */
  public record Group(String name, String id, String path, long createdMillis) {}

  /**
   * A role: an identity without keys of its own, whose trust policy says who may assume it.
   *
   * @param maxSessionSeconds the longest session AssumeRole may give (3600 to 43200)
   */
  public record Role(
      String name,
      String id,
      String path,
      long createdMillis,
      String trustPolicy,
      String description,
      int maxSessionSeconds) {}

  /** An access key; {@code userName} null means the account root's. */
  public record AccessKey(
      String id, String userName, String status, long createdMillis, String sealedSecret) {
    public boolean active() {
      return "Active".equals(status);
    }
  }

  /** One version of a managed policy's document. */
  public record PolicyVersion(String id, String document, long createdMillis) {}

  /** IAM keeps at most five versions of a managed policy. */
  public static final int MAX_POLICY_VERSIONS = 5;

  /**
   * A customer-managed policy and its versions, newest first.
   *
   * @param document the default version's document (also how records written before versions
   *     existed hold their only version, v1)
   * @param lastVersion the highest version number ever given: ids are never reused
   */
  public record ManagedPolicy(
      String name,
      String id,
      String path,
      long createdMillis,
      String document,
      String description,
      List<PolicyVersion> versions,
      String defaultVersion,
      int lastVersion,
      long updatedMillis) {
    public ManagedPolicy {
      if (versions == null || versions.isEmpty()) {
        versions = List.of(new PolicyVersion("v1", document, createdMillis));
        defaultVersion = "v1";
        lastVersion = 1;
        updatedMillis = createdMillis;
      }
      versions = List.copyOf(versions);
      String wanted = defaultVersion;
      document =
          versions.stream()
              .filter(v -> v.id().equals(wanted))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("no default version " + wanted))
              .document();
    }

    public PolicyVersion version(String versionId) {
      for (PolicyVersion v : versions) {
        if (v.id().equals(versionId)) {
          return v;
        }
      }
      return null;
    }
  }

  /** Who a policy or membership belongs to; each kind has its own keys in the meta space. */
  public enum Entity {
    USER("user", "iam/inline/", "iam/attach/"),
    GROUP("group", "iam/group-inline/", "iam/group-attach/"),
    ROLE("role", "iam/role-inline/", "iam/role-attach/");

    private final String label;
    private final String inlinePrefix;
    private final String attachPrefix;

    Entity(String label, String inlinePrefix, String attachPrefix) {
      this.label = label;
      this.inlinePrefix = inlinePrefix;
      this.attachPrefix = attachPrefix;
    }

    /** IAM's word for it in messages and ARNs: user, group, role. */
    public String label() {
      return label;
    }
  }

  /** An inline policy; records written before groups and roles existed name only a user. */
  record Inline(
      Entity kind, @JsonAlias("userName") String owner, String policyName, String document) {
    Inline {
      kind = kind == null ? Entity.USER : kind;
    }
  }

  /** A managed policy attached to a user, group or role. */
  record Attachment(Entity kind, @JsonAlias("userName") String owner, String policyArn) {
    Attachment {
      kind = kind == null ? Entity.USER : kind;
    }
  }

  record Membership(String groupName, String userName) {}

  /** A new key with its secret, shown once. */
  public record NewKey(AccessKey key, String secret) {}

  /** Temporary credentials AssumeRole hands out. */
  public record TemporaryCredentials(
      String accessKeyId, String secret, String sessionToken, Principal.RoleSession session) {}

  private final Storage storage;
  private final String account;
  private final SecretSealer sealer;
  private final SessionTokens sessions;
  private final LongSupplier clock;

  private final Map<String, User> users = new ConcurrentHashMap<>();
  private final Map<String, Group> groups = new ConcurrentHashMap<>();
  private final Map<String, Role> roles = new ConcurrentHashMap<>();
  private final Map<String, Membership> members = new ConcurrentHashMap<>();
  private final Map<String, AccessKey> keys = new ConcurrentHashMap<>();
  private final Map<String, SigV4Verifier.KeyRecord> verified = new ConcurrentHashMap<>();
  private final Map<String, Inline> inline = new ConcurrentHashMap<>();
  private final Map<String, ManagedPolicy> managed = new ConcurrentHashMap<>();
  private final Map<String, Attachment> attachments = new ConcurrentHashMap<>();
  private final Map<String, PolicyDocument> compiled = new ConcurrentHashMap<>();
  private volatile Map<String, List<PolicyDocument>> policiesByPrincipal = Map.of();
  private volatile Map<String, PolicyDocument> trustByRole = Map.of();

  public IdentityStore(Storage storage, String account, SecretSealer sealer, LongSupplier clock) {
    this.storage = storage;
    this.account = account;
    this.sealer = sealer;
    this.sessions = new SessionTokens(sealer);
    this.clock = clock;
    load();
  }

  public String account() {
    return account;
  }

  private void load() {
    List<AccessKey> loadedKeys = new ArrayList<>();
    try (Cursor c = storage.scanMeta(bytes(PREFIX))) {
      while (c.next()) {
        String key = new String(c.key(), StandardCharsets.UTF_8);
        byte[] v = c.value();
        if (key.startsWith("iam/user/")) {
          User u = JSON.readValue(v, User.class);
          users.put(u.name(), u);
        } else if (key.startsWith("iam/group/")) {
          Group g = JSON.readValue(v, Group.class);
          groups.put(g.name(), g);
        } else if (key.startsWith("iam/role/")) {
          Role r = JSON.readValue(v, Role.class);
          roles.put(r.name(), r);
        } else if (key.startsWith("iam/member/")) {
          Membership m = JSON.readValue(v, Membership.class);
          members.put(memberKey(m.groupName(), m.userName()), m);
        } else if (key.startsWith("iam/key/")) {
          loadedKeys.add(JSON.readValue(v, AccessKey.class));
        } else if (key.startsWith("iam/policy/")) {
          ManagedPolicy p = JSON.readValue(v, ManagedPolicy.class);
          managed.put(policyArn(p), p);
        } else {
          for (Entity e : Entity.values()) {
            if (key.startsWith(e.inlinePrefix)) {
              Inline i = JSON.readValue(v, Inline.class);
              inline.put(inlineKey(i.kind(), i.owner(), i.policyName()), i);
            } else if (key.startsWith(e.attachPrefix)) {
              Attachment a = JSON.readValue(v, Attachment.class);
              attachments.put(attachKey(a.kind(), a.owner(), a.policyArn()), a);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("IAM state in the meta space is unreadable", e);
    }
    // Keys after users: a key's principal carries its user's id.
    loadedKeys.forEach(this::putKey);
    recompile();
  }

  // ---- the request path ----

  @Override
  public SigV4Verifier.KeyRecord find(String accessKeyId) {
    return verified.get(accessKeyId);
  }

  /**
   * Temporary credentials: the session the token seals, while its role still exists as the same
   * role (a role deleted and created again has a new id, and the old sessions end with it).
   */
  @Override
  public SigV4Verifier.KeyRecord findSession(String accessKeyId, String sessionToken) {
    SessionTokens.Opened o = sessions.open(accessKeyId, sessionToken);
    if (o == null) {
      return null;
    }
    Role r = roles.get(o.session().roleName());
    if (r == null || !r.id().equals(o.session().roleId())) {
      return null;
    }
    Principal p =
        new Principal(
            account, null, r.id() + ":" + o.session().sessionName(), accessKeyId, o.session());
    return new SigV4Verifier.KeyRecord(o.secret(), p, true, o.session().expiresMillis());
  }

  /** Every identity-based policy that applies to a caller, compiled. */
  public List<PolicyDocument> policiesOf(Principal caller) {
    String key =
        caller.session() != null
            ? "role/" + caller.session().roleName()
            : "user/" + caller.userName();
    return policiesByPrincipal.getOrDefault(key, List.of());
  }

  /** Every policy that applies to a user, their groups' included; empty for unknown users. */
  public List<PolicyDocument> policiesOf(String userName) {
    return policiesByPrincipal.getOrDefault("user/" + userName, List.of());
  }

  /** A role's trust policy, compiled; null when there is no such role. */
  public PolicyDocument trustPolicy(String roleName) {
    return trustByRole.get(roleName);
  }

  // ---- root ----

  public boolean hasRootKey() {
    return keys.values().stream().anyMatch(k -> k.userName() == null);
  }

  public synchronized NewKey createRootKey() {
    return newKey(null);
  }

  /**
   * The first root key, handed to {@code deliver} (which writes the credentials file) before it is
   * stored: a failure to deliver leaves no key behind, so the next start tries again instead of
   * leaving an administrator key that nobody has.
   */
  public synchronized NewKey createFirstRootKey(KeyDelivery deliver) throws java.io.IOException {
    String id = "AKIA" + random(KEY_CHARS, 16);
    String secret = random(SECRET_CHARS, 40);
    AccessKey k = new AccessKey(id, null, "Active", clock.getAsLong(), sealer.seal(id, secret));
    NewKey created = new NewKey(k, secret);
    deliver.accept(created);
    write(new WriteSet().putMeta(bytes("iam/key/" + id), json(k)));
    putKey(k);
    return created;
  }

  /** Writes a new key somewhere its owner finds it. */
  @FunctionalInterface
  public interface KeyDelivery {
    void accept(NewKey key) throws java.io.IOException;
  }

  // ---- users ----

  public synchronized User createUser(String name, String path) {
    IamRules.checkName(name, "userName", 64);
    String p = path == null ? "/" : path;
    IamRules.checkPath(p);
    if (findIgnoreCase(users, name) != null) {
      throw IamRules.alreadyExists("User with name " + name + " already exists.");
    }
    User u = new User(name, "AIDA" + random(KEY_CHARS, 17), p, clock.getAsLong());
    write(new WriteSet().putMeta(bytes("iam/user/" + name), json(u)));
    users.put(name, u);
    recompile();
    return u;
  }

  public User user(String name) {
    return existing(users, "user", name);
  }

  public List<User> users() {
    return byName(users);
  }

  public String userArn(User u) {
    return arn("user", u.path(), u.name());
  }

  public synchronized void deleteUser(String name) {
    user(name);
    boolean busy =
        keys.values().stream().anyMatch(k -> name.equals(k.userName()))
            || hasPolicies(Entity.USER, name);
    if (busy) {
      throw IamRules.deleteConflict(
          "Cannot delete entity, must delete access keys, policies first.");
    }
    if (members.values().stream().anyMatch(m -> m.userName().equals(name))) {
      throw IamRules.deleteConflict(
          "Cannot delete entity, must remove user from all groups first.");
    }
    write(new WriteSet().deleteMeta(bytes("iam/user/" + name)));
    users.remove(name);
    recompile();
  }

  // ---- groups ----

  public synchronized Group createGroup(String name, String path) {
    IamRules.checkName(name, "groupName", 128);
    String p = path == null ? "/" : path;
    IamRules.checkPath(p);
    if (findIgnoreCase(groups, name) != null) {
      throw IamRules.alreadyExists("Group with name " + name + " already exists.");
    }
    Group g = new Group(name, "AGPA" + random(KEY_CHARS, 17), p, clock.getAsLong());
    write(new WriteSet().putMeta(bytes("iam/group/" + name), json(g)));
    groups.put(name, g);
    return g;
  }

  public Group group(String name) {
    return existing(groups, "group", name);
  }

  public List<Group> groups() {
    return byName(groups);
  }

  public String groupArn(Group g) {
    return arn("group", g.path(), g.name());
  }

  public synchronized void deleteGroup(String name) {
    group(name);
    if (members.values().stream().anyMatch(m -> m.groupName().equals(name))) {
      throw IamRules.deleteConflict("Cannot delete entity, must remove users from group first.");
    }
    if (hasPolicies(Entity.GROUP, name)) {
      throw IamRules.deleteConflict("Cannot delete entity, must delete policies first.");
    }
    write(new WriteSet().deleteMeta(bytes("iam/group/" + name)));
    groups.remove(name);
  }

  /** Adds a user to a group; adding a member again changes nothing, as on IAM. */
  public synchronized void addUserToGroup(String groupName, String userName) {
    group(groupName);
    user(userName);
    Membership m = new Membership(groupName, userName);
    write(new WriteSet().putMeta(bytes("iam/member/" + groupName + "/" + userName), json(m)));
    members.put(memberKey(groupName, userName), m);
    recompile();
  }

  public synchronized void removeUserFromGroup(String groupName, String userName) {
    group(groupName);
    user(userName);
    if (!members.containsKey(memberKey(groupName, userName))) {
      throw IamRules.noSuchEntity(
          "The user with name " + userName + " cannot be found in group " + groupName + ".");
    }
    write(new WriteSet().deleteMeta(bytes("iam/member/" + groupName + "/" + userName)));
    members.remove(memberKey(groupName, userName));
    recompile();
  }

  public List<User> membersOf(String groupName) {
    group(groupName);
    List<User> list = new ArrayList<>();
    for (Membership m : members.values()) {
      if (m.groupName().equals(groupName) && users.containsKey(m.userName())) {
        list.add(users.get(m.userName()));
      }
    }
    list.sort(Comparator.comparing(User::name));
    return list;
  }

  public List<Group> groupsOf(String userName) {
    user(userName);
    List<Group> list = new ArrayList<>();
    for (Membership m : members.values()) {
      if (m.userName().equals(userName) && groups.containsKey(m.groupName())) {
        list.add(groups.get(m.groupName()));
      }
    }
    list.sort(Comparator.comparing(Group::name));
    return list;
  }

  // ---- roles ----

  /** IAM's bounds of a role's MaxSessionDuration, in seconds; also AssumeRole's longest. */
  public static final int MIN_SESSION_SECONDS = 3600;

  public static final int MAX_SESSION_SECONDS = 43200;

  public synchronized Role createRole(
      String name, String path, String trustPolicy, String description, Integer maxSession) {
    IamRules.checkName(name, "roleName", 64);
    String p = path == null ? "/" : path;
    IamRules.checkPath(p);
    int max = checkMaxSession(maxSession);
    PolicyDocument trust =
        IamRules.parsePolicy(trustPolicy, PolicyDocument.Kind.TRUST, "assumeRolePolicyDocument");
    if (findIgnoreCase(roles, name) != null) {
      throw IamRules.alreadyExists("Role with name " + name + " already exists.");
    }
    Role r =
        new Role(
            name,
            "AROA" + random(KEY_CHARS, 17),
            p,
            clock.getAsLong(),
            trustPolicy,
            description,
            max);
    write(new WriteSet().putMeta(bytes("iam/role/" + name), json(r)));
    roles.put(name, r);
    compiled.put(trustPolicy, trust);
    recompile();
    return r;
  }

  private static int checkMaxSession(Integer seconds) {
    if (seconds == null) {
      return MIN_SESSION_SECONDS;
    }
    if (seconds < MIN_SESSION_SECONDS || seconds > MAX_SESSION_SECONDS) {
      throw IamRules.outOfRange(
          "maxSessionDuration", seconds, MIN_SESSION_SECONDS, MAX_SESSION_SECONDS);
    }
    return seconds;
  }

  public Role role(String name) {
    return existing(roles, "role", name);
  }

  /** The role an ARN names (path included), or null. */
  public Role roleByArn(String arn) {
    String prefix = "arn:aws:iam::" + account + ":role/";
    if (arn == null || !arn.startsWith(prefix)) {
      return null;
    }
    Role r = roles.get(arn.substring(arn.lastIndexOf('/') + 1));
    return r != null && roleArn(r).equals(arn) ? r : null;
  }

  public List<Role> roles() {
    return byName(roles);
  }

  /**
   * Whether a principal a resource-based policy names can exist: every IAM user and role ARN of
   * this account must name one that does (path included), as must the role of an assumed-role
   * session ARN. Other forms (account ids, the account root, {@code *}, other accounts' ARNs,
   * services) cannot be checked here and pass.
   */
  public boolean principalExists(String principal) {
    String iam = "arn:aws:iam::" + account + ":";
    if (principal.startsWith(iam + "user/")) {
      User u = users.get(principal.substring(principal.lastIndexOf('/') + 1));
      return u != null && userArn(u).equals(principal);
    }
    if (principal.startsWith(iam + "role/")) {
      return roleByArn(principal) != null;
    }
    String session = "arn:aws:sts::" + account + ":assumed-role/";
    if (principal.startsWith(session)) {
      String rest = principal.substring(session.length());
      int slash = rest.indexOf('/');
      return slash > 0 && roles.containsKey(rest.substring(0, slash));
    }
    return true;
  }

  public String roleArn(Role r) {
    return arn("role", r.path(), r.name());
  }

  public synchronized void updateAssumeRolePolicy(String roleName, String trustPolicy) {
    Role r = role(roleName);
    PolicyDocument trust =
        IamRules.parsePolicy(trustPolicy, PolicyDocument.Kind.TRUST, "policyDocument");
    Role updated =
        new Role(
            r.name(),
            r.id(),
            r.path(),
            r.createdMillis(),
            trustPolicy,
            r.description(),
            r.maxSessionSeconds());
    write(new WriteSet().putMeta(bytes("iam/role/" + r.name()), json(updated)));
    roles.put(r.name(), updated);
    compiled.put(trustPolicy, trust);
    recompile();
  }

  public synchronized void deleteRole(String name) {
    role(name);
    if (inline.values().stream().anyMatch(i -> i.kind() == Entity.ROLE && i.owner().equals(name))) {
      throw IamRules.deleteConflict("Cannot delete entity, must delete policies first.");
    }
    if (attachments.values().stream()
        .anyMatch(a -> a.kind() == Entity.ROLE && a.owner().equals(name))) {
      throw IamRules.deleteConflict("Cannot delete entity, must detach all policies first.");
    }
    write(new WriteSet().deleteMeta(bytes("iam/role/" + name)));
    roles.remove(name);
    recompile();
  }

  /**
   * Issues temporary credentials for a session of {@code role}. Nothing is stored: the session
   * token carries the session, sealed (see {@link SessionTokens}).
   */
  public TemporaryCredentials assumeRole(Role role, String sessionName, int durationSeconds) {
    long now = clock.getAsLong();
    // Expiration is shown to the second, as STS shows it; the credentials end exactly then.
    long expires = (now / 1000 + durationSeconds) * 1000;
    Principal.RoleSession s =
        new Principal.RoleSession(role.name(), role.path(), role.id(), sessionName, now, expires);
    String id = "ASIA" + random(KEY_CHARS, 16);
    String secret = random(SECRET_CHARS, 40);
    return new TemporaryCredentials(id, secret, sessions.issue(id, secret, s), s);
  }

  // ---- access keys ----

  public synchronized NewKey createAccessKey(String userName) {
    user(userName);
    long count = keys.values().stream().filter(k -> userName.equals(k.userName())).count();
    if (count >= 2) {
      throw new DynamoException(
          WireError.IAM_LIMIT_EXCEEDED, "Cannot exceed quota for AccessKeysPerUser: 2");
    }
    return newKey(userName);
  }

  private NewKey newKey(String userName) {
    String id = "AKIA" + random(KEY_CHARS, 16);
    String secret = random(SECRET_CHARS, 40);
    AccessKey k = new AccessKey(id, userName, "Active", clock.getAsLong(), sealer.seal(id, secret));
    write(new WriteSet().putMeta(bytes("iam/key/" + id), json(k)));
    putKey(k);
    return new NewKey(k, secret);
  }

  private void putKey(AccessKey k) {
    keys.put(k.id(), k);
    String secret = sealer.unseal(k.id(), k.sealedSecret());
    Principal principal =
        k.userName() == null
            ? new Principal(account, null, account, k.id())
            : new Principal(
                account,
                k.userName(),
                users.containsKey(k.userName()) ? users.get(k.userName()).id() : k.userName(),
                k.id());
    verified.put(k.id(), new SigV4Verifier.KeyRecord(secret, principal, k.active()));
  }

  /** A user's keys; {@code userName} null lists the root's. */
  public List<AccessKey> accessKeys(String userName) {
    if (userName != null) {
      user(userName);
    }
    List<AccessKey> list = new ArrayList<>();
    for (AccessKey k : keys.values()) {
      if (Objects.equals(k.userName(), userName)) {
        list.add(k);
      }
    }
    list.sort(Comparator.comparing(AccessKey::createdMillis).thenComparing(AccessKey::id));
    return list;
  }

  public synchronized void updateAccessKey(String userName, String keyId, String status) {
    if (!"Active".equals(status) && !"Inactive".equals(status)) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value '"
              + status
              + "' at 'status' failed to satisfy constraint: Member must satisfy enum value set:"
              + " [Active, Inactive]");
    }
    AccessKey k = ownedKey(userName, keyId);
    AccessKey updated =
        new AccessKey(k.id(), k.userName(), status, k.createdMillis(), k.sealedSecret());
    write(new WriteSet().putMeta(bytes("iam/key/" + k.id()), json(updated)));
    putKey(updated);
  }

  public synchronized void deleteAccessKey(String userName, String keyId) {
    AccessKey k = ownedKey(userName, keyId);
    write(new WriteSet().deleteMeta(bytes("iam/key/" + k.id())));
    keys.remove(k.id());
    verified.remove(k.id());
  }

  private AccessKey ownedKey(String userName, String keyId) {
    if (userName != null) {
      user(userName);
    }
    AccessKey k = keyId == null ? null : keys.get(keyId);
    if (k == null || !Objects.equals(k.userName(), userName)) {
      throw IamRules.noSuchEntity("The Access Key with id " + keyId + " cannot be found");
    }
    return k;
  }

  // ---- inline policies of users, groups and roles ----

  /** Checks that the user, group or role exists. */
  public void entity(Entity kind, String name) {
    switch (kind) {
      case USER -> user(name);
      case GROUP -> group(name);
      case ROLE -> role(name);
    }
  }

  public String entityArn(Entity kind, String name) {
    return switch (kind) {
      case USER -> userArn(user(name));
      case GROUP -> groupArn(group(name));
      case ROLE -> roleArn(role(name));
    };
  }

  public synchronized void putPolicy(
      Entity kind, String owner, String policyName, String document) {
    entity(kind, owner);
    IamRules.checkName(policyName, "policyName", 128);
    PolicyDocument parsed =
        IamRules.parsePolicy(document, PolicyDocument.Kind.IDENTITY, "policyDocument");
    Inline i = new Inline(kind, owner, policyName, document);
    write(new WriteSet().putMeta(bytes(kind.inlinePrefix + owner + "/" + policyName), json(i)));
    inline.put(inlineKey(kind, owner, policyName), i);
    compiled.put(document, parsed);
    recompile();
  }

  public String inlinePolicy(Entity kind, String owner, String policyName) {
    entity(kind, owner);
    Inline i = inline.get(inlineKey(kind, owner, policyName));
    if (i == null) {
      throw IamRules.noSuchEntity(
          "The " + kind.label() + " policy with name " + policyName + " cannot be found.");
    }
    return i.document();
  }

  public List<String> inlinePolicyNames(Entity kind, String owner) {
    entity(kind, owner);
    List<String> names = new ArrayList<>();
    for (Inline i : inline.values()) {
      if (i.kind() == kind && i.owner().equals(owner)) {
        names.add(i.policyName());
      }
    }
    names.sort(null);
    return names;
  }

  public synchronized void deleteInlinePolicy(Entity kind, String owner, String policyName) {
    inlinePolicy(kind, owner, policyName);
    write(new WriteSet().deleteMeta(bytes(kind.inlinePrefix + owner + "/" + policyName)));
    inline.remove(inlineKey(kind, owner, policyName));
    recompile();
  }

  public synchronized void putUserPolicy(String userName, String policyName, String document) {
    putPolicy(Entity.USER, userName, policyName, document);
  }

  // ---- managed policies ----

  public String policyArn(ManagedPolicy p) {
    return arn("policy", p.path(), p.name());
  }

  public synchronized ManagedPolicy createPolicy(
      String name, String path, String document, String description) {
    IamRules.checkName(name, "policyName", 128);
    String p = path == null ? "/" : path;
    IamRules.checkPath(p);
    PolicyDocument parsed =
        IamRules.parsePolicy(document, PolicyDocument.Kind.IDENTITY, "policyDocument");
    if (managed.values().stream().anyMatch(m -> m.name().equals(name))) {
      throw IamRules.alreadyExists(
          "A policy called " + name + " already exists. Duplicate names are not allowed.");
    }
    long now = clock.getAsLong();
    ManagedPolicy m =
        new ManagedPolicy(
            name,
            "ANPA" + random(KEY_CHARS, 17),
            p,
            now,
            document,
            description,
            List.of(new PolicyVersion("v1", document, now)),
            "v1",
            1,
            now);
    storePolicy(m);
    compiled.put(document, parsed);
    return m;
  }

  private void storePolicy(ManagedPolicy m) {
    write(new WriteSet().putMeta(bytes("iam/policy/" + m.name()), json(m)));
    managed.put(policyArn(m), m);
  }

  public ManagedPolicy policy(String arn) {
    ManagedPolicy m = arn == null ? null : managed.get(arn);
    if (m == null) {
      throw IamRules.noSuchEntity("Policy " + arn + " does not exist or is not attachable.");
    }
    return m;
  }

  public List<ManagedPolicy> policies() {
    List<ManagedPolicy> list = new ArrayList<>(managed.values());
    list.sort(Comparator.comparing(ManagedPolicy::name));
    return list;
  }

  public int attachmentCount(String policyArn) {
    return (int) attachments.values().stream().filter(a -> a.policyArn().equals(policyArn)).count();
  }

  public synchronized void deletePolicy(String arn) {
    ManagedPolicy m = policy(arn);
    if (attachmentCount(arn) > 0) {
      throw IamRules.deleteConflict("Cannot delete a policy attached to entities.");
    }
    if (m.versions().size() > 1) {
      throw IamRules.deleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete the"
              + " policy's versions. The default version is deleted with the policy.");
    }
    write(new WriteSet().deleteMeta(bytes("iam/policy/" + m.name())));
    managed.remove(arn);
  }

  // ---- managed policy versions ----

  public synchronized PolicyVersion createPolicyVersion(
      String arn, String document, boolean setAsDefault) {
    ManagedPolicy m = policy(arn);
    PolicyDocument parsed =
        IamRules.parsePolicy(document, PolicyDocument.Kind.IDENTITY, "policyDocument");
    if (m.versions().size() >= MAX_POLICY_VERSIONS) {
      throw new DynamoException(
          WireError.IAM_LIMIT_EXCEEDED,
          "A managed policy can have up to "
              + MAX_POLICY_VERSIONS
              + " versions. Before you create a new version, you must delete an existing"
              + " version.");
    }
    long now = clock.getAsLong();
    int number = m.lastVersion() + 1;
    PolicyVersion v = new PolicyVersion("v" + number, document, now);
    List<PolicyVersion> versions = new ArrayList<>();
    versions.add(v);
    versions.addAll(m.versions());
    compiled.put(document, parsed);
    storePolicy(
        new ManagedPolicy(
            m.name(),
            m.id(),
            m.path(),
            m.createdMillis(),
            null,
            m.description(),
            versions,
            setAsDefault ? v.id() : m.defaultVersion(),
            number,
            now));
    recompile();
    return v;
  }

  public PolicyVersion policyVersion(String arn, String versionId) {
    ManagedPolicy m = policy(arn);
    PolicyVersion v = m.version(versionId);
    if (v == null) {
      throw IamRules.noSuchEntity(
          "Policy " + arn + " version " + versionId + " does not exist or is not attachable.");
    }
    return v;
  }

  public synchronized void deletePolicyVersion(String arn, String versionId) {
    ManagedPolicy m = policy(arn);
    PolicyVersion v = policyVersion(arn, versionId);
    if (v.id().equals(m.defaultVersion())) {
      throw IamRules.deleteConflict("Cannot delete the default version of a policy.");
    }
    List<PolicyVersion> versions = new ArrayList<>(m.versions());
    versions.remove(v);
    storePolicy(
        new ManagedPolicy(
            m.name(),
            m.id(),
            m.path(),
            m.createdMillis(),
            null,
            m.description(),
            versions,
            m.defaultVersion(),
            m.lastVersion(),
            clock.getAsLong()));
  }

  public synchronized void setDefaultPolicyVersion(String arn, String versionId) {
    ManagedPolicy m = policy(arn);
    policyVersion(arn, versionId);
    storePolicy(
        new ManagedPolicy(
            m.name(),
            m.id(),
            m.path(),
            m.createdMillis(),
            null,
            m.description(),
            m.versions(),
            versionId,
            m.lastVersion(),
            clock.getAsLong()));
    recompile();
  }

  // ---- attachments of managed policies ----

  public synchronized void attach(Entity kind, String owner, String arn) {
    entity(kind, owner);
    policy(arn);
    Attachment a = new Attachment(kind, owner, arn);
    write(new WriteSet().putMeta(bytes(kind.attachPrefix + owner + "/" + arn), json(a)));
    attachments.put(attachKey(kind, owner, arn), a);
    recompile();
  }

  public synchronized void detach(Entity kind, String owner, String arn) {
    entity(kind, owner);
    if (attachments.get(attachKey(kind, owner, arn)) == null) {
      throw IamRules.noSuchEntity("Policy " + arn + " was not found.");
    }
    write(new WriteSet().deleteMeta(bytes(kind.attachPrefix + owner + "/" + arn)));
    attachments.remove(attachKey(kind, owner, arn));
    recompile();
  }

  public List<ManagedPolicy> attachedPolicies(Entity kind, String owner) {
    entity(kind, owner);
    List<ManagedPolicy> list = new ArrayList<>();
    for (Attachment a : attachments.values()) {
      if (a.kind() == kind && a.owner().equals(owner) && managed.containsKey(a.policyArn())) {
        list.add(managed.get(a.policyArn()));
      }
    }
    list.sort(Comparator.comparing(ManagedPolicy::name));
    return list;
  }

  public synchronized void attachUserPolicy(String userName, String arn) {
    attach(Entity.USER, userName, arn);
  }

  // ---- helpers ----

  private boolean hasPolicies(Entity kind, String owner) {
    return inline.values().stream().anyMatch(i -> i.kind() == kind && i.owner().equals(owner))
        || attachments.values().stream().anyMatch(a -> a.kind() == kind && a.owner().equals(owner));
  }

  /**
   * Rebuilds what requests read: each user's policies (their own, then their groups'), each role's,
   * and the roles' trust policies, as immutable maps swapped in at once.
   */
  private void recompile() {
    Map<String, List<PolicyDocument>> own = new HashMap<>();
    for (Inline i : inline.values()) {
      own.computeIfAbsent(i.kind() + "/" + i.owner(), u -> new ArrayList<>())
          .add(compile(i.document(), PolicyDocument.Kind.IDENTITY));
    }
    for (Attachment a : attachments.values()) {
      ManagedPolicy m = managed.get(a.policyArn());
      if (m != null) {
        own.computeIfAbsent(a.kind() + "/" + a.owner(), u -> new ArrayList<>())
            .add(compile(m.document(), PolicyDocument.Kind.IDENTITY));
      }
    }
    Map<String, List<PolicyDocument>> next = new HashMap<>();
    for (User u : users.values()) {
      List<PolicyDocument> list =
          new ArrayList<>(own.getOrDefault(Entity.USER + "/" + u.name(), List.of()));
      for (Membership m : members.values()) {
        if (m.userName().equals(u.name())) {
          list.addAll(own.getOrDefault(Entity.GROUP + "/" + m.groupName(), List.of()));
        }
      }
      next.put("user/" + u.name(), List.copyOf(list));
    }
    Map<String, PolicyDocument> trust = new HashMap<>();
    for (Role r : roles.values()) {
      next.put(
          "role/" + r.name(),
          List.copyOf(own.getOrDefault(Entity.ROLE + "/" + r.name(), List.of())));
      trust.put(r.name(), compile(r.trustPolicy(), PolicyDocument.Kind.TRUST));
    }
    policiesByPrincipal = Map.copyOf(next);
    trustByRole = Map.copyOf(trust);
  }

  private PolicyDocument compile(String document, PolicyDocument.Kind kind) {
    return compiled.computeIfAbsent(
        document,
        d -> {
          try {
            return PolicyDocument.parse(d, kind);
          } catch (PolicyDocument.MalformedPolicyException e) {
            throw new IllegalStateException("a stored policy no longer parses: " + e.getMessage());
          }
        });
  }

  /** The entity of that name, or IAM's NoSuchEntity for its kind. */
  private static <T> T existing(Map<String, T> byName, String kind, String name) {
    T found = name == null ? null : byName.get(name);
    if (found == null) {
      throw IamRules.noSuchEntity("The " + kind + " with name " + name + " cannot be found.");
    }
    return found;
  }

  /** The entities in name order (the maps are keyed by name). */
  private static <T> List<T> byName(Map<String, T> byName) {
    return List.copyOf(new java.util.TreeMap<>(byName).values());
  }

  private String arn(String type, String path, String name) {
    return "arn:aws:iam::" + account + ":" + type + path + name;
  }

  private static <T> T findIgnoreCase(Map<String, T> byName, String name) {
    for (Map.Entry<String, T> e : byName.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private void write(WriteSet w) {
    storage.apply(w);
    storage.sync();
  }

  private static String inlineKey(Entity kind, String owner, String policy) {
    return kind + "/" + owner + "/" + policy;
  }

  private static String attachKey(Entity kind, String owner, String arn) {
    return kind + "/" + owner + "/" + arn;
  }

  private static String memberKey(String group, String user) {
    return group + "/" + user;
  }

  private static byte[] json(Object o) {
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String random(char[] alphabet, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet[RANDOM.nextInt(alphabet.length)]);
    }
    return sb.toString();
  }
}
