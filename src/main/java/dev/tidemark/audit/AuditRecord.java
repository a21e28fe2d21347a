package dev.tidemark.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One line of the audit trail: who asked for what, from where, and what came of it. Written as one
 * JSON object per line (see {@link AuditLog}), so {@code jq} and log shippers read the files as
 * they are.
 *
 * @param timeMillis when the gate decided (epoch milliseconds)
 * @param identity the caller's IAM ARN; for a refused signature the ARN the access key belongs to
 *     (unverified); null when no identity is known (open mode, unknown key)
 * @param accessKeyId the access key id the request was signed with, or null without one
 * @param verified whether the signature was verified (IAM mode, signature good)
 * @param sourceIp the client's address, or null when unknown
 * @param secure whether the request came over TLS
 * @param action the IAM action name ({@code dynamodb:CreateTable}, {@code iam:CreateUser})
 * @param readOnly whether the operation only reads (Describe, List, Get)
 * @param resources the ARNs the request names (tables, indexes, streams, backups, users, ...)
 * @param outcome what happened
 * @param errorType the error's type as the client saw it ({@code AccessDeniedException}), or null
 * @param errorMessage the error's message, or null
 */
public record AuditRecord(
    long timeMillis,
    String identity,
    String accessKeyId,
    boolean verified,
    String sourceIp,
    boolean secure,
    String action,
    boolean readOnly,
    List<String> resources,
    Outcome outcome,
    String errorType,
    String errorMessage) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What came of a request. */
  public enum Outcome {
    /** Admitted and carried out. */
    Success,
    /** Admitted; the operation itself refused or failed (errorType says how). */
    Failed,
    /** Authenticated, refused by policy (AccessDeniedException). */
    Denied,
    /** Refused before anyone was identified: no, a malformed, or a wrong signature, unknown key. */
    Unauthenticated,
    /** Any other refusal by the gate. */
    Refused
  }

  public AuditRecord {
    Objects.requireNonNull(action);
    Objects.requireNonNull(outcome);
    resources = List.copyOf(resources);
  }

  /** The record as one line of JSON, newline included. */
  public byte[] toLine() {
    ObjectNode o = JSON.createObjectNode();
    o.put("time", Instant.ofEpochMilli(timeMillis).toString());
    o.put("identity", identity);
    o.put("accessKeyId", accessKeyId);
    o.put("verified", verified);
    o.put("sourceIp", sourceIp);
    o.put("transport", secure ? "https" : "http");
    o.put("action", action);
    o.put("readOnly", readOnly);
    ArrayNode r = o.putArray("resources");
    resources.forEach(r::add);
    o.put("outcome", outcome.name());
    o.put("errorType", errorType);
    o.put("errorMessage", errorMessage);
    try {
      byte[] json = JSON.writeValueAsBytes(o);
      byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
      line[json.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads one line written by {@link #toLine}.
   *
   * @throws IllegalArgumentException when the line is not a complete record (a torn write)
   */
  public static AuditRecord parse(String line) {
    JsonNode o;
    try {
      o = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage());
    }
    if (o == null || !o.isObject() || !o.hasNonNull("time") || !o.hasNonNull("action")) {
      throw new IllegalArgumentException("not an audit record");
    }
    List<String> resources = new ArrayList<>();
    o.path("resources").forEach(n -> resources.add(n.asText()));
    try {
      return new AuditRecord(
          Instant.parse(o.get("time").asText()).toEpochMilli(),
          text(o, "identity"),
          text(o, "accessKeyId"),
          o.path("verified").asBoolean(),
          text(o, "sourceIp"),
          "https".equals(text(o, "transport")),
          o.get("action").asText(),
          o.path("readOnly").asBoolean(),
          resources,
          Outcome.valueOf(o.path("outcome").asText()),
          text(o, "errorType"),
          text(o, "errorMessage"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an audit record: " + e.getMessage(), e);
    }
  }

  /** The record as JSON text without the newline. */
  public String toJson() {
    byte[] line = toLine();
    return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
  }

  private static String text(JsonNode o, String field) {
    JsonNode n = o.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }
}
