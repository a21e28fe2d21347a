package dev.tidemark.pitr;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.backup.BackupRepository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the backup store alone says about PITR histories (invariant I3): which table incarnations
 * have one, their newest state, and up to which instant their archive is complete. A server with an
 * empty data directory, and {@code tidemark pitr status --backup-dir}, read windows through this.
 */
public final class PitrStore {
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .build();

  private PitrStore() {}

  /**
   * One incarnation's history as the store has it. {@code earliestMillis} and {@code latestMillis}
   * are null when it has no restorable window (PITR disabled, or expired).
   */
  public record StoredWindow(PitrState state, Long earliestMillis, Long latestMillis) {}

  static String statePrefix(String uuid) {
    return "pitr/" + uuid + "/state/";
  }

  static String progressPrefix(String uuid) {
    return "pitr/" + uuid + "/progress/";
  }

  /** TableIds of every incarnation with a PITR state in the store. */
  public static List<String> incarnations(BackupRepository repository) throws IOException {
    List<String> out = new ArrayList<>();
    for (String name : repository.store().list("pitr/")) {
      String rest = name.substring(5);
      int slash = rest.indexOf('/');
      if (slash > 0 && rest.startsWith("state/", slash + 1)) {
        String uuid = rest.substring(0, slash);
        if (!out.contains(uuid)) {
          out.add(uuid);
        }
      }
    }
    return out;
  }

  /** The newest state written for an incarnation. */
  public static Optional<PitrState> state(BackupRepository repository, String uuid)
      throws IOException {
    List<String> names = repository.store().list(statePrefix(uuid));
    if (names.isEmpty()) {
      return Optional.empty();
    }
    String newest = names.get(names.size() - 1);
    return Optional.of(JSON.readValue(repository.getTableObject(uuid, newest), PitrState.class));
  }

  /**
   * The newest instant the store alone can restore an incarnation to: the latest covered instant of
   * its segments and progress markers, or {@link Long#MIN_VALUE} when it has none.
   */
  public static long coveredUntil(BackupRepository repository, String uuid) throws IOException {
    long covered = Long.MIN_VALUE;
    for (String n : repository.store().list(Segment.prefix(uuid))) {
      covered = Math.max(covered, Segment.parseName(n)[2]);
    }
    for (String n : repository.store().list(progressPrefix(uuid))) {
      covered = Math.max(covered, Long.parseLong(n.substring(n.lastIndexOf('/') + 1)));
    }
    return covered;
  }

  /** Every incarnation's window as of {@code now}, oldest window first. */
  public static List<StoredWindow> windows(BackupRepository repository, long now)
      throws IOException {
    List<StoredWindow> out = new ArrayList<>();
    for (String uuid : incarnations(repository)) {
      Optional<PitrState> st;
      try {
        st = state(repository, uuid);
      } catch (IOException e) {
        // Listed by unreadable(), not fatal to the readable ones.
        continue;
      }
      if (st.isEmpty()) {
        continue;
      }
      PitrState s = st.get();
      if (!s.enabled() || s.expired(now)) {
        out.add(new StoredWindow(s, null, null));
      } else {
        long latest = coveredUntil(repository, uuid);
        out.add(new StoredWindow(s, s.earliest(now), latest == Long.MIN_VALUE ? null : latest));
      }
    }
    out.sort(java.util.Comparator.comparingLong((StoredWindow w) -> w.state().windowStartMillis()));
    return out;
  }

  /** An incarnation whose PITR state cannot be read (wrong key, damaged), and why. */
  public record UnreadableWindow(String tableUuid, String reason) {}

  /** Incarnations whose archive this repository's keys cannot read. */
  public static List<UnreadableWindow> unreadable(BackupRepository repository) throws IOException {
    List<UnreadableWindow> out = new ArrayList<>();
    for (String uuid : incarnations(repository)) {
      try {
        state(repository, uuid);
      } catch (IOException e) {
        out.add(new UnreadableWindow(uuid, e.getMessage()));
      }
    }
    return out;
  }
}
