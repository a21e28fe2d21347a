package dev.tidemark.replication;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * A service other regions call through {@link PeerServicesEndpoint} under {@code
 * /tidemark/peer/<name>/<operation>}. Refusals are {@link dev.tidemark.errors.DynamoException}s,
 * which the caller receives with their type and message.
 */
@FunctionalInterface
interface PeerService {
  /** Answers one authenticated request of region {@code from}; the bytes are signed and sent. */
  byte[] serve(String op, String from, JsonNode body) throws IOException;
}
