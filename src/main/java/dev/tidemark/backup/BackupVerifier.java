package dev.tidemark.backup;

import dev.tidemark.backup.crypto.CorruptObjectException;
import dev.tidemark.backup.crypto.MasterKeys;
import dev.tidemark.backup.crypto.WrongKeyException;
import dev.tidemark.backup.store.NoSuchObjectException;
import dev.tidemark.backup.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads every object of a backup, decrypts it, and checks it against the manifest: what {@code
 * verify} runs and what a restore must pass before it makes a table visible (design I7). It reports
 * all problems rather than stopping at the first, so one run tells an operator everything that is
 * damaged.
 */
public final class BackupVerifier {
  private BackupVerifier() {}

  public static VerifyResult verify(
      ObjectStore store, String manifestName, dev.tidemark.backup.crypto.SymmetricKey masterKey) {
    return verify(store, manifestName, MasterKeys.of(masterKey));
  }

  public static VerifyResult verify(ObjectStore store, String manifestName, MasterKeys keys) {
    List<VerifyResult.Problem> problems = new ArrayList<>();
    Manifest manifest = readable(store, manifestName, keys, problems);
    if (manifest == null) {
      return new VerifyResult(manifestName, 0, 0, problems);
    }
    int checked = 0;
    long bytes = 0;
    Set<String> seen = new HashSet<>();
    List<DataObjectRef> unique = new ArrayList<>();
    for (DataObjectRef ref : manifest.objects()) {
      if (seen.add(ref.name())) {
        unique.add(ref);
      }
    }
    // Several objects are checked at once (as many as the store transfers at once): on a local
    // disk a check is decryption and hashing, bound by the CPU, so they spread over the cores.
    // Results are taken in manifest order, so the report is the same as one object at a time.
    try (Transfers.Prefetch<VerifyResult.Problem> checks =
        Transfers.prefetch(
            unique, store.transfersInFlight(), ref -> check(store, keys, manifest, ref))) {
      for (DataObjectRef ref : unique) {
        VerifyResult.Problem problem;
        try {
          problem = checks.next();
        } catch (IOException | RuntimeException e) {
          // Only an interruption gets here: check() reports every failure of its object.
          problems.add(classify(ref.name(), e, store, ref.storedSize()));
          break;
        }
        if (problem == null) {
          checked++;
          bytes += ref.plaintextSize();
        } else {
          problems.add(problem);
        }
      }
    }
    return new VerifyResult(manifestName, checked, bytes, problems);
  }

  /**
   * The checks of {@link #verify} that remain once every object has been read back as it was
   * written ({@link BackupWriter#submitReadBack}): the manifest as stored decrypts and parses, its
   * data key unwraps, it lists {@code written}'s objects, and each of them is still in the store at
   * its recorded size (one listing, no object read).
   */
  public static VerifyResult verifyPresent(
      ObjectStore store, String manifestName, MasterKeys keys, Manifest written) {
    List<VerifyResult.Problem> problems = new ArrayList<>();
    Manifest manifest = readable(store, manifestName, keys, problems);
    if (manifest == null) {
      return new VerifyResult(manifestName, 0, 0, problems);
    }
    if (!manifest.objects().equals(written.objects())) {
      problems.add(
          new VerifyResult.Problem(
              manifestName,
              VerifyResult.Kind.MALFORMED_MANIFEST,
              "backup " + manifestName + " does not list the objects that were written for it"));
      return new VerifyResult(manifestName, 0, 0, problems);
    }
    java.util.Map<String, Long> sizes;
    try {
      sizes = store.sizes(BackupLayout.dataPrefix(manifest.tableId()));
    } catch (IOException e) {
      problems.add(classify(manifestName, e, store, -1));
      return new VerifyResult(manifestName, 0, 0, problems);
    }
    int checked = 0;
    long bytes = 0;
    Set<String> seen = new HashSet<>();
    for (DataObjectRef ref : manifest.objects()) {
      if (!seen.add(ref.name())) {
        continue;
      }
      Long size = sizes.get(ref.name());
      if (size == null) {
        problems.add(
            new VerifyResult.Problem(
                ref.name(),
                VerifyResult.Kind.MISSING,
                "backup object " + ref.name() + " is missing"));
      } else if (size != ref.storedSize()) {
        problems.add(
            new VerifyResult.Problem(
                ref.name(),
                VerifyResult.Kind.CONTENT_MISMATCH,
                "backup object "
                    + ref.name()
                    + " is "
                    + size
                    + " bytes, but its manifest records "
                    + ref.storedSize()));
      } else {
        checked++;
        bytes += ref.plaintextSize();
      }
    }
    return new VerifyResult(manifestName, checked, bytes, problems);
  }

  /** The manifest, if it reads and its data key unwraps; else null, with the problem added. */
  private static Manifest readable(
      ObjectStore store,
      String manifestName,
      MasterKeys keys,
      List<VerifyResult.Problem> problems) {
    try {
      Manifest manifest = BackupRepository.readManifest(store, keys, manifestName);
      BackupRepository.dataKey(store, keys, manifest);
      return manifest;
    } catch (IOException | RuntimeException e) {
      problems.add(classify(manifestName, e, store, -1));
      return null;
    }
  }

  /** Reads one object to its end, which checks it; null when it is sound, else its problem. */
  private static VerifyResult.Problem check(
      ObjectStore store, MasterKeys keys, Manifest manifest, DataObjectRef ref) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = BackupRepository.openObject(store, keys, manifest, ref)) {
      while (in.read(buf) >= 0) {
        // Reading to the end is the check.
      }
      OptionalLong stored = store.size(ref.name());
      if (stored.isPresent() && stored.getAsLong() != ref.storedSize()) {
        return new VerifyResult.Problem(
            ref.name(),
            VerifyResult.Kind.CONTENT_MISMATCH,
            "backup object "
                + ref.name()
                + " is "
                + stored.getAsLong()
                + " bytes, but its manifest records "
                + ref.storedSize());
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return classify(ref.name(), e, store, ref.storedSize());
    }
  }

  private static VerifyResult.Problem classify(
      String name, Exception e, ObjectStore store, long expectedStoredSize) {
    VerifyResult.Kind kind;
    String message = e.getMessage();
    if (e instanceof NoSuchObjectException) {
      kind = VerifyResult.Kind.MISSING;
      message =
          expectedStoredSize < 0
              ? "backup " + name + " does not exist (no manifest)"
              : "backup object " + name + " is missing";
    } else if (e instanceof WrongKeyException) {
      kind = VerifyResult.Kind.WRONG_KEY;
    } else if (e instanceof CorruptObjectException c) {
      kind =
          switch (c.reason()) {
            case TRUNCATED -> VerifyResult.Kind.TRUNCATED;
            case TRAILING_DATA -> VerifyResult.Kind.TRAILING_DATA;
            case SIZE_MISMATCH, CHECKSUM_MISMATCH -> VerifyResult.Kind.CONTENT_MISMATCH;
            case BAD_HEADER, AUTHENTICATION_FAILED -> VerifyResult.Kind.CORRUPT;
          };
      // A cut inside a chunk looks like a forged chunk to GCM; the recorded size tells them apart.
      // (Format version 2's reader, Tink's, names no cause at all: the size names cut and
      // extended.)
      OptionalLong stored = sizeOrEmpty(store, name);
      if (kind == VerifyResult.Kind.CORRUPT
          && stored.isPresent()
          && expectedStoredSize >= 0
          && stored.getAsLong() > expectedStoredSize) {
        kind = VerifyResult.Kind.TRAILING_DATA;
        message =
            "backup object "
                + name
                + " has bytes after its end: "
                + stored.getAsLong()
                + " of "
                + expectedStoredSize
                + " bytes";
      }
      if (kind == VerifyResult.Kind.CORRUPT
          && stored.isPresent()
          && stored.getAsLong() < expectedStoredSize) {
        kind = VerifyResult.Kind.TRUNCATED;
        message =
            "backup object "
                + name
                + " is truncated: "
                + stored.getAsLong()
                + " of "
                + expectedStoredSize
                + " bytes";
      }
    } else if (e instanceof ManifestFormatException) {
      kind = VerifyResult.Kind.MALFORMED_MANIFEST;
    } else {
      kind = VerifyResult.Kind.UNREADABLE;
      message = "backup object " + name + " could not be read: " + e;
    }
    return new VerifyResult.Problem(name, kind, message);
  }

  private static OptionalLong sizeOrEmpty(ObjectStore store, String name) {
    try {
      return store.size(name);
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }
}
