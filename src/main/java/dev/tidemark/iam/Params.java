package dev.tidemark.iam;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tidemark.auth.CallerIdentity;
import dev.tidemark.auth.IdentityStore;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

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
    return named != null
        ? named
        : caller.principal() == null ? null : caller.principal().userName();
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
        .text("DefaultVersionId", "v1")
        .text("AttachmentCount", Integer.toString(store.attachmentCount(store.policyArn(m))))
        .text("PermissionsBoundaryUsageCount", "0")
        .text("IsAttachable", "true")
        .text("Description", m.description())
        .date("CreateDate", m.createdMillis())
        .date("UpdateDate", m.createdMillis());
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
