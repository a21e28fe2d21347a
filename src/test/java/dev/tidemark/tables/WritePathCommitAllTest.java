package dev.tidemark.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tidemark.changelog.ChangeRecord;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.model.AttributeValue;
import dev.tidemark.storage.RocksStorage;
import dev.tidemark.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WritePath.commitAll: every mutation is evaluated, refusals are collected, nothing is written. */
class WritePathCommitAllTest {
  private Storage storage;
  private WritePath writePath;
  private Table table;

  @BeforeEach
  void open() {
    storage = RocksStorage.inMemory();
    writePath = new WritePath(storage, () -> 1_000L, false);
    TableDefinition d = TestTables.definition("t", 7, null);
    storage.createTableSpace(7);
    table = new Table(d, "ACTIVE", 0, 0);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private WritePath.ItemWrite write(String pk, WritePath.Mutation m) {
    return new WritePath.ItemWrite(
        table, pk.getBytes(StandardCharsets.UTF_8), Map.of("pk", new AttributeValue.S(pk)), m);
  }

  private static Map<String, AttributeValue> item(String pk) {
    return Map.of("pk", new AttributeValue.S(pk));
  }

  // Protects per-action reasons: refusals come back in write order, and nothing is applied.
  @Test
  void collectsEveryRefusalAndWritesNothing() {
    DynamoException first = DynamoException.validation("first");
    DynamoException third = DynamoException.conditionalCheckFailed(null);
    WritePath.Refused refused =
        catchThrowableOfType(
            WritePath.Refused.class,
            () ->
                writePath.commitAll(
                    List.of(
                        write(
                            "a",
                            c -> {
                              throw first;
                            }),
                        write("b", c -> item("b")),
                        write(
                            "c",
                            c -> {
                              throw third;
                            })),
                    ChangeRecord.Origin.USER));
    assertThat(refused.refusals()).containsExactly(first, null, third);
    assertThat(storage.get(7, "b".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(writePath.appliedSeq()).isZero();
  }

  // Protects commit's own contract: it still stops at the first refusal, unchanged.
  @Test
  void plainCommitStopsAtFirstRefusal() {
    DynamoException refusal = DynamoException.validation("no");
    DynamoException thrown =
        catchThrowableOfType(
            DynamoException.class,
            () ->
                writePath.commit(
                    List.of(
                        write(
                            "a",
                            c -> {
                              throw refusal;
                            }),
                        write("b", c -> item("b"))),
                    ChangeRecord.Origin.USER));
    assertThat(thrown).isSameAs(refusal);
  }

  // Protects bugs from being reported as refusals: other exceptions propagate at once.
  @Test
  void nonRefusalsPropagate() {
    IllegalStateException bug =
        catchThrowableOfType(
            IllegalStateException.class,
            () ->
                writePath.commitAll(
                    List.of(
                        write(
                            "a",
                            c -> {
                              throw new IllegalStateException("bug");
                            })),
                    ChangeRecord.Origin.USER));
    assertThat(bug).hasMessage("bug");
    assertThat(writePath.appliedSeq()).isZero();
  }

  // Protects the happy path: accepted mutations commit together with consecutive seqs.
  @Test
  void acceptedMutationsCommit() {
    List<WritePath.Outcome> outcomes =
        writePath.commitAll(
            List.of(write("a", c -> item("a")), write("b", c -> item("b"))),
            ChangeRecord.Origin.USER);
    assertThat(outcomes).extracting(WritePath.Outcome::changed).containsExactly(true, true);
    assertThat(writePath.appliedSeq()).isEqualTo(2);
  }
}
