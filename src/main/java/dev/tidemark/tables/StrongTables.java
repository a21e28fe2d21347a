package dev.tidemark.tables;

import dev.tidemark.errors.DynamoException;
import java.util.List;

/**
 * What the table actions need from multi-Region strong consistency (MRSC): creating a strongly
 * consistent global table over three regions and tearing it down. The {@code replication.strong}
 * package implements it; a server started without a consensus port uses {@link #NONE}.
 */
public interface StrongTables {
  /**
   * Why this server cannot take part in MRSC (no consensus port, for example), or null if it can.
   */
  String unavailableReason();

  /**
   * Makes {@code table} (empty, validated) an MRSC table with {@code replicas} holding copies and
   * {@code witness} (or null) voting only. Returns once every region has joined the group; a
   * refusal of a peer is thrown as {@link DynamoException}.
   */
  void create(Table table, List<String> replicas, String witness);

  /** Dissolves the group of {@code table}: the other replicas are deleted, this one stays. */
  void teardown(Table table);

  StrongTables NONE =
      new StrongTables() {
        @Override
        public String unavailableReason() {
          return "this server was started without --consensus-port";
        }

        @Override
        public void create(Table table, List<String> replicas, String witness) {
          throw new IllegalStateException(unavailableReason());
        }

        @Override
        public void teardown(Table table) {
          throw new IllegalStateException(unavailableReason());
        }
      };
}
