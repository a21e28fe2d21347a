package dev.tidemark.iam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/** Parameter access and shared renderings for the IAM actions. */
public final class Params {
  private Params() {}

  public static String optional(JsonNode p, String name) {
    JsonNode n = p.get(name);
    return n == null ? null : n.asText();
  }

  /** A required parameter, refused as IAM refuses a missing one. */
  public static String required(JsonNode p, String name) {
    String v = optional(p, name);
    if (v == null) {
      String field = Character.toLowerCase(name.charAt(0)) + name.substring(1);
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value null at '"
              + field
              + "' failed to satisfy constraint: Member must not be null");
    }
    return v;
  }

  /** The user an operation is about: the one named, else the caller (null for the root). */
  public static String userOrCaller(JsonNode p, CallerIdentity caller) {
    String named = optional(p, "UserName");
    if (named != null || caller.principal() == null) {
      return named;
    }
    if (caller.principal().session() != null) {
      // A role session is no user and has no keys of its own; IAM asks for a name.
      throw new DynamoException(
          WireError.IAM_VALIDATION, "Must specify userName when calling with non-User credentials");
    }
    return caller.principal().userName();
  }

  public static void user(Xml x, IdentityStore store, IdentityStore.User u) {
    x.text("Path", u.path())
        .text("UserName", u.name())
        .text("UserId", u.id())
        .text("Arn", "arn:aws:iam::" + store.account() + ":user" + u.path() + u.name())
        .date("CreateDate", u.createdMillis());
  }

  public static void policy(Xml x, IdentityStore store, IdentityStore.ManagedPolicy m) {
    x.text("PolicyName", m.name())
        .text("PolicyId", m.id())
        .text("Arn", store.policyArn(m))
        .text("Path", m.path())
        .text("DefaultVersionId", m.defaultVersion())
        .text("AttachmentCount", Integer.toString(store.attachmentCount(store.policyArn(m))))
        .text("PermissionsBoundaryUsageCount", "0")
        .text("IsAttachable", "true")
        .text("Description", m.description())
        .date("CreateDate", m.createdMillis())
        .date("UpdateDate", m.updatedMillis());
  }

  public static void group(Xml x, IdentityStore store, IdentityStore.Group g) {
    x.text("Path", g.path())
        .text("GroupName", g.name())
        .text("GroupId", g.id())
        .text("Arn", store.groupArn(g))
        .date("CreateDate", g.createdMillis());
  }

  public static void role(Xml x, IdentityStore store, IdentityStore.Role r) {
    x.text("Path", r.path())
        .text("RoleName", r.name())
        .text("RoleId", r.id())
        .text("Arn", store.roleArn(r))
        .date("CreateDate", r.createdMillis())
        .text("AssumeRolePolicyDocument", encodedDocument(r.trustPolicy()))
        .text("Description", r.description())
        .text("MaxSessionDuration", Integer.toString(r.maxSessionSeconds()));
  }

  /** The parameter naming a user, group or role: UserName, GroupName, RoleName. */
  public static String nameParameter(IdentityStore.Entity kind) {
    return capitalized(kind) + "Name";
  }

  /** User, Group, Role: how operation names spell the kind. */
  public static String capitalized(IdentityStore.Entity kind) {
    return Character.toUpperCase(kind.label().charAt(0)) + kind.label().substring(1);
  }

  /** An optional whole number, refused as IAM refuses a malformed one. */
  public static Integer optionalInt(JsonNode p, String name) {
    String v = optional(p, name);
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v.strip());
    } catch (NumberFormatException e) {
      String field = Character.toLowerCase(name.charAt(0)) + name.substring(1);
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value '"
              + v
              + "' at '"
              + field
              + "' failed to satisfy constraint: Member must be a number");
    }
  }

  /**
   * One page of a list answer.
   *
   * @param nextMarker where the next page starts, or null on the last page
   */
  public record Page<T>(List<T> items, String nextMarker) {
    /** Writes IsTruncated, and Marker when there is more. */
    public void end(Xml x) {
      x.text("IsTruncated", Boolean.toString(nextMarker != null)).text("Marker", nextMarker);
    }
  }

  /** IAM's default and largest MaxItems. */
  static final int DEFAULT_MAX_ITEMS = 100;

  static final int MAX_MAX_ITEMS = 1000;

  /**
   * IAM's paging (Marker, MaxItems) over {@code all}, which must be sorted by {@code key}. The
   * marker is the key of the first item of the next page, so a page after a deletion starts where
   * it should instead of skipping or repeating items.
   */
  public static <T> Page<T> page(JsonNode p, List<T> all, Function<T, String> key) {
    Integer max = optionalInt(p, "MaxItems");
    int limit = max == null ? DEFAULT_MAX_ITEMS : max;
    if (limit < 1 || limit > MAX_MAX_ITEMS) {
      throw new DynamoException(
          WireError.IAM_VALIDATION,
          "1 validation error detected: Value '"
              + limit
              + "' at 'maxItems' failed to satisfy constraint: Member must have value "
              + (limit < 1 ? "greater than or equal to 1" : "less than or equal to 1000"));
    }
    String marker = optional(p, "Marker");
    int from = 0;
    if (marker != null) {
      String after;
      try {
        after = new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new DynamoException(WireError.IAM_VALIDATION, "Invalid Marker.");
      }
      while (from < all.size() && key.apply(all.get(from)).compareTo(after) < 0) {
        from++;
      }
    }
    int to = Math.min(all.size(), from + limit);
    String next =
        to < all.size()
            ? Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(key.apply(all.get(to)).getBytes(StandardCharsets.UTF_8))
            : null;
    return new Page<>(List.copyOf(all.subList(from, to)), next);
  }

  public static void accessKey(Xml x, String userName, IdentityStore.AccessKey k) {
    x.text("UserName", userName)
        .text("AccessKeyId", k.id())
        .text("Status", k.status())
        .date("CreateDate", k.createdMillis());
  }

  /** IAM returns policy documents URL-encoded (RFC 3986), as the AWS CLI expects to decode. */
  public static String encodedDocument(String document) {
    return URLEncoder.encode(document, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
