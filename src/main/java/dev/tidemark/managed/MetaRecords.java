package dev.tidemark.managed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.storage.Cursor;
import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records of one kind as JSON in the meta space under {@code aws-backup/<kind>/<id>}. Each write is
 * synced before it returns: a vault, job or recovery point the API has answered about survives a
 * crash, and a job's state never moves back.
 */
final class MetaRecords<T> {
  // Unknown fields are skipped: derived values ({@code isEmpty()}) are written too, and a newer
  // version's fields must not make an older record unreadable.
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final Storage storage;
  private final String prefix;
  private final Class<T> type;

  MetaRecords(Storage storage, String kind, Class<T> type) {
    this.storage = storage;
    this.prefix = "aws-backup/" + kind + "/";
    this.type = type;
  }

  void put(String id, T value) {
    try {
      storage.apply(new WriteSet().putMeta(key(id), JSON.writeValueAsBytes(value)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    storage.sync();
  }

  void delete(String id) {
    storage.apply(new WriteSet().deleteMeta(key(id)));
    storage.sync();
  }

  List<T> all() {
    List<T> out = new ArrayList<>();
    try (Cursor c = storage.scanMeta(prefix.getBytes(StandardCharsets.UTF_8))) {
      while (c.next()) {
        out.add(JSON.readValue(c.value(), type));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private byte[] key(String id) {
    return (prefix + id).getBytes(StandardCharsets.UTF_8);
  }
}
