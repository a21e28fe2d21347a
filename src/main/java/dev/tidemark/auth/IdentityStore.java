package dev.tidemark.auth;

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
 * IAM's state: users, access keys, inline and managed policies and their attachments, kept in the
 * meta space under {@code iam/...} (JSON values) and mirrored in memory, where requests read it
 * without locks. Every change is written and synced before it is answered, so it survives kill -9.
 * Secrets are sealed by a {@link SecretSealer}. The account root (the administrator) has access
 * keys too, owned by no user.
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

  /** An access key; {@code userName} null means the account root's. */
  public record AccessKey(
      String id, String userName, String status, long createdMillis, String sealedSecret) {
    public boolean active() {
      return "Active".equals(status);
    }
  }

  /** A customer-managed policy (one version, v1, is kept). */
  public record ManagedPolicy(
      String name,
      String id,
      String path,
      long createdMillis,
      String document,
      String description) {}

  record Inline(String userName, String policyName, String document) {}

  record Attachment(String userName, String policyArn) {}

  /** A new key with its secret, shown once. */
  public record NewKey(AccessKey key, String secret) {}

  private final Storage storage;
  private final String account;
  private final SecretSealer sealer;
  private final LongSupplier clock;

  private final Map<String, User> users = new ConcurrentHashMap<>();
  private final Map<String, AccessKey> keys = new ConcurrentHashMap<>();
  private final Map<String, SigV4Verifier.KeyRecord> verified = new ConcurrentHashMap<>();
  private final Map<String, Inline> inline = new ConcurrentHashMap<>();
  private final Map<String, ManagedPolicy> managed = new ConcurrentHashMap<>();
  private final Map<String, Attachment> attachments = new ConcurrentHashMap<>();
  private final Map<String, PolicyDocument> compiled = new ConcurrentHashMap<>();
  private volatile Map<String, List<PolicyDocument>> policiesByUser = Map.of();

  public IdentityStore(Storage storage, String account, SecretSealer sealer, LongSupplier clock) {
    this.storage = storage;
    this.account = account;
    this.sealer = sealer;
    this.clock = clock;
    load();
  }

  public String account() {
    return account;
  }

  private void load() {
    try (Cursor c = storage.scanMeta(bytes(PREFIX))) {
      while (c.next()) {
        String key = new String(c.key(), StandardCharsets.UTF_8);
        byte[] v = c.value();
        if (key.startsWith("iam/user/")) {
          User u = JSON.readValue(v, User.class);
          users.put(u.name(), u);
        } else if (key.startsWith("iam/key/")) {
          putKey(JSON.readValue(v, AccessKey.class));
        } else if (key.startsWith("iam/inline/")) {
          Inline i = JSON.readValue(v, Inline.class);
          inline.put(inlineKey(i.userName(), i.policyName()), i);
        } else if (key.startsWith("iam/policy/")) {
          ManagedPolicy p = JSON.readValue(v, ManagedPolicy.class);
          managed.put(policyArn(p), p);
        } else if (key.startsWith("iam/attach/")) {
          Attachment a = JSON.readValue(v, Attachment.class);
          attachments.put(attachKey(a.userName(), a.policyArn()), a);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("IAM state in the meta space is unreadable", e);
    }
    recompile();
  }

  // ---- the request path ----

  @Override
  public SigV4Verifier.KeyRecord find(String accessKeyId) {
    return verified.get(accessKeyId);
  }

  /** Every policy that applies to a user, compiled; empty for unknown users. */
  public List<PolicyDocument> policiesOf(String userName) {
    return policiesByUser.getOrDefault(userName, List.of());
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
    checkName(name, "userName", 64);
    String p = path == null ? "/" : path;
    checkPath(p);
    if (findUserIgnoreCase(name) != null) {
      throw new DynamoException(
          WireError.ENTITY_ALREADY_EXISTS, "User with name " + name + " already exists.");
    }
    User u = new User(name, "AIDA" + random(KEY_CHARS, 17), p, clock.getAsLong());
    write(new WriteSet().putMeta(bytes("iam/user/" + name), json(u)));
    users.put(name, u);
    recompile();
    return u;
  }

  public User user(String name) {
    User u = name == null ? null : users.get(name);
    if (u == null) {
      throw noSuchEntity("The user with name " + name + " cannot be found.");
    }
    return u;
  }

  public List<User> users() {
    List<User> list = new ArrayList<>(users.values());
    list.sort(Comparator.comparing(User::name));
    return list;
  }

  public synchronized void deleteUser(String name) {
    user(name);
    boolean busy =
        keys.values().stream().anyMatch(k -> name.equals(k.userName()))
            || inline.values().stream().anyMatch(i -> i.userName().equals(name))
            || attachments.values().stream().anyMatch(a -> a.userName().equals(name));
    if (busy) {
      throw new DynamoException(
          WireError.DELETE_CONFLICT,
          "Cannot delete entity, must delete access keys, policies first.");
    }
    write(new WriteSet().deleteMeta(bytes("iam/user/" + name)));
    users.remove(name);
    recompile();
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
      throw noSuchEntity("The Access Key with id " + keyId + " cannot be found");
    }
    return k;
  }

  // ---- inline policies ----

  public synchronized void putUserPolicy(String userName, String policyName, String document) {
    user(userName);
    checkName(policyName, "policyName", 128);
    PolicyDocument parsed = parsePolicy(document);
    Inline i = new Inline(userName, policyName, document);
    write(new WriteSet().putMeta(bytes("iam/inline/" + userName + "/" + policyName), json(i)));
    inline.put(inlineKey(userName, policyName), i);
    compiled.put(document, parsed);
    recompile();
  }

  public String userPolicy(String userName, String policyName) {
    user(userName);
    Inline i = inline.get(inlineKey(userName, policyName));
    if (i == null) {
      throw noSuchEntity("The user policy with name " + policyName + " cannot be found.");
    }
    return i.document();
  }

  public List<String> userPolicyNames(String userName) {
    user(userName);
    List<String> names = new ArrayList<>();
    for (Inline i : inline.values()) {
      if (i.userName().equals(userName)) {
        names.add(i.policyName());
      }
    }
    names.sort(null);
    return names;
  }

  public synchronized void deleteUserPolicy(String userName, String policyName) {
    userPolicy(userName, policyName);
    write(new WriteSet().deleteMeta(bytes("iam/inline/" + userName + "/" + policyName)));
    inline.remove(inlineKey(userName, policyName));
    recompile();
  }

  // ---- managed policies ----

  public String policyArn(ManagedPolicy p) {
    return "arn:aws:iam::" + account + ":policy" + p.path() + p.name();
  }

  public synchronized ManagedPolicy createPolicy(
      String name, String path, String document, String description) {
    checkName(name, "policyName", 128);
    String p = path == null ? "/" : path;
    checkPath(p);
    PolicyDocument parsed = parsePolicy(document);
    if (managed.values().stream().anyMatch(m -> m.name().equals(name))) {
      throw new DynamoException(
          WireError.ENTITY_ALREADY_EXISTS,
          "A policy called " + name + " already exists. Duplicate names are not allowed.");
    }
    ManagedPolicy m =
        new ManagedPolicy(
            name, "ANPA" + random(KEY_CHARS, 17), p, clock.getAsLong(), document, description);
    write(new WriteSet().putMeta(bytes("iam/policy/" + name), json(m)));
    managed.put(policyArn(m), m);
    compiled.put(document, parsed);
    return m;
  }

  public ManagedPolicy policy(String arn) {
    ManagedPolicy m = arn == null ? null : managed.get(arn);
    if (m == null) {
      throw noSuchEntity("Policy " + arn + " does not exist or is not attachable.");
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
      throw new DynamoException(
          WireError.DELETE_CONFLICT, "Cannot delete a policy attached to entities.");
    }
    write(new WriteSet().deleteMeta(bytes("iam/policy/" + m.name())));
    managed.remove(arn);
  }

  public synchronized void attachUserPolicy(String userName, String arn) {
    user(userName);
    policy(arn);
    Attachment a = new Attachment(userName, arn);
    write(new WriteSet().putMeta(bytes("iam/attach/" + userName + "/" + arn), json(a)));
    attachments.put(attachKey(userName, arn), a);
    recompile();
  }

  public synchronized void detachUserPolicy(String userName, String arn) {
    user(userName);
    if (attachments.get(attachKey(userName, arn)) == null) {
      throw noSuchEntity("Policy " + arn + " was not found.");
    }
    write(new WriteSet().deleteMeta(bytes("iam/attach/" + userName + "/" + arn)));
    attachments.remove(attachKey(userName, arn));
    recompile();
  }

  public List<ManagedPolicy> attachedPolicies(String userName) {
    user(userName);
    List<ManagedPolicy> list = new ArrayList<>();
    for (Attachment a : attachments.values()) {
      if (a.userName().equals(userName) && managed.containsKey(a.policyArn())) {
        list.add(managed.get(a.policyArn()));
      }
    }
    list.sort(Comparator.comparing(ManagedPolicy::name));
    return list;
  }

  // ---- helpers ----

  private void recompile() {
    Map<String, List<PolicyDocument>> next = new HashMap<>();
    for (Inline i : inline.values()) {
      next.computeIfAbsent(i.userName(), u -> new ArrayList<>()).add(compile(i.document()));
    }
    for (Attachment a : attachments.values()) {
      ManagedPolicy m = managed.get(a.policyArn());
      if (m != null) {
        next.computeIfAbsent(a.userName(), u -> new ArrayList<>()).add(compile(m.document()));
      }
    }
    next.replaceAll((u, l) -> List.copyOf(l));
    policiesByUser = Map.copyOf(next);
  }

  private PolicyDocument compile(String document) {
    return compiled.computeIfAbsent(
        document,
        d -> {
          try {
            return PolicyDocument.parse(d);
          } catch (PolicyDocument.MalformedPolicyException e) {
            throw new IllegalStateException("a stored policy no longer parses: " + e.getMessage());
          }
        });
  }

  private static PolicyDocument parsePolicy(String document) {
    if (document == null) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value null at 'policyDocument' failed to satisfy"
              + " constraint: Member must not be null");
    }
    try {
      return PolicyDocument.parse(document);
    } catch (PolicyDocument.MalformedPolicyException e) {
      throw new DynamoException(WireError.MALFORMED_POLICY_DOCUMENT, e.getMessage());
    }
  }

  private User findUserIgnoreCase(String name) {
    for (User u : users.values()) {
      if (u.name().equalsIgnoreCase(name)) {
        return u;
      }
    }
    return null;
  }

  private static void checkName(String name, String field, int max) {
    if (name == null) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value null at '"
              + field
              + "' failed to satisfy constraint: Member must not be null");
    }
    if (name.isEmpty() || name.length() > max || !name.matches("[\\w+=,.@-]+")) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value '"
              + name
              + "' at '"
              + field
              + "' failed to satisfy constraint: Member must satisfy regular expression pattern:"
              + " [\\w+=,.@-]+");
    }
  }

  private static void checkPath(String path) {
    if (!path.matches("/([\\x21-\\x7e]*/)?") || path.length() > 512) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "The specified value for path is invalid. It must begin and end with / and contain only"
              + " alphanumeric characters and/or / characters.");
    }
  }

  private static DynamoException noSuchEntity(String message) {
    return new DynamoException(WireError.NO_SUCH_ENTITY, message);
  }

  private void write(WriteSet w) {
    storage.apply(w);
    storage.sync();
  }

  private static String inlineKey(String user, String policy) {
    return user + "/" + policy;
  }

  private static String attachKey(String user, String arn) {
    return user + "/" + arn;
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
