package dev.tidemark.awsbackup;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An operation's answer: the status the API model gives it and its JSON body, or no body for
 * operations without an output shape (they answer 200 with an empty body).
 */
public record Answer(int status, ObjectNode body) {
  public static Answer ok(ObjectNode body) {
    return new Answer(200, body);
  }

  public static Answer empty() {
    return new Answer(200, null);
  }
}
