package dev.tidemark.replication;

import dev.tidemark.storage.Storage;
import dev.tidemark.storage.WriteSet;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The failover drill: replication from this region to a peer paused by an operator ({@code tidemark
 * replicas pause --region R}) until resumed. While paused nothing is shipped or filled to that
 * peer; this region keeps taking writes, they wait in the change log (held as for a peer that is
 * down, so up to {@code --replication-max-lag}), and the lag grows; resuming ships them. The flag
 * is durable (meta key {@code repl/paused/<region>}), so a restart mid-drill does not end it.
 */
final class Drills {
  private static final String PREFIX = "repl/paused/";

  private final Storage storage;
  private final Set<String> paused = ConcurrentHashMap.newKeySet();

  Drills(Storage storage, Iterable<String> peers) {
    this.storage = storage;
    for (String p : peers) {
      if (storage.getMeta(key(p)) != null) {
        paused.add(p);
      }
    }
  }

  boolean paused(String peer) {
    return paused.contains(peer);
  }

  /** Pauses or resumes replication to {@code peer}, durably; returns the paused peers. */
  Set<String> set(String peer, boolean pause) {
    WriteSet w = new WriteSet();
    if (pause) {
      w.putMeta(key(peer), new byte[] {1});
    } else {
      w.deleteMeta(key(peer));
    }
    storage.apply(w);
    storage.sync();
    if (pause) {
      paused.add(peer);
    } else {
      paused.remove(peer);
    }
    return new TreeSet<>(paused);
  }

  private static byte[] key(String peer) {
    return (PREFIX + peer).getBytes(StandardCharsets.UTF_8);
  }
}
