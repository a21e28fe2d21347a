package dev.tidemark.backup.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the backup master key. Sources, of which at most one may be configured:
 *
 * <ol>
 *   <li>a key file ({@code --backup-key-file}),
 *   <li>the environment variable {@value #ENV_VAR},
 * </ol>
 *
 * and, when neither is, a default key file that is created on first use. Both hold the 32 key bytes
 * in standard base64 (surrounding whitespace ignored), so a key can be moved between a file and the
 * variable by copy and paste. Configuring both is refused rather than resolved by a precedence
 * rule: quietly preferring one could write backups that the operator's other configuration cannot
 * read.
 */
public final class KeyManager {
  public static final String ENV_VAR = "TIDEMARK_BACKUP_KEY";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private KeyManager() {}

  /** Where the key came from. */
  public enum Source {
    KEY_FILE,
    ENVIRONMENT,
    DEFAULT_KEY_FILE,
    /** The default key file did not exist and was created with a new random key. */
    CREATED,
    /** Unwrapped from the backup store with a passphrase; held in memory only. */
    PASSPHRASE
  }

  /**
   * A loaded key and what the server should log about it.
   *
   * @param file the key file, empty for {@link Source#ENVIRONMENT}
   * @param warnings things an operator should fix, such as a key file others can read
   */
  public record LoadedKey(
      SymmetricKey key, Source source, Optional<Path> file, List<String> warnings) {
    public LoadedKey {
      warnings = List.copyOf(warnings);
    }

    public boolean created() {
      return source == Source.CREATED;
    }

    /** One line for the server log. Never includes key material. */
    public String describe() {
      return switch (source) {
        case KEY_FILE, DEFAULT_KEY_FILE -> "backup key " + key.id() + " loaded from " + file.get();
        case ENVIRONMENT -> "backup key " + key.id() + " loaded from $" + ENV_VAR;
        case PASSPHRASE ->
            "backup key " + key.id() + " recovered from the backup store with a passphrase";
        case CREATED ->
            "created a new backup key "
                + key.id()
                + " in "
                + file.get()
                + "; keep a copy elsewhere: backups cannot be restored without it";
      };
    }
  }

  /**
   * Applies the rules above.
   *
   * @param keyFile the configured key file, or null
   * @param env the process environment (a parameter so tests need not change the real one)
   */
  public static LoadedKey resolve(Path keyFile, Map<String, String> env, Path defaultKeyFile)
      throws IOException {
    String fromEnv = env.get(ENV_VAR);
    boolean envSet = fromEnv != null && !fromEnv.isBlank();
    if (keyFile != null && envSet) {
      throw new KeyConfigurationException(
          "both a backup key file ("
              + keyFile
              + ") and $"
              + ENV_VAR
              + " are configured; configure exactly one");
    }
    if (keyFile != null) {
      return new LoadedKey(
          readKeyFile(keyFile), Source.KEY_FILE, Optional.of(keyFile), permissionWarnings(keyFile));
    }
    if (envSet) {
      return new LoadedKey(
          parse(fromEnv, "$" + ENV_VAR), Source.ENVIRONMENT, Optional.empty(), List.of());
    }
    return loadOrCreate(defaultKeyFile);
  }

  /**
   * Where the key would come from, without creating anything: the configured file, the environment,
   * or the default file; empty if the chosen file does not exist (or, with nothing configured, the
   * default file does not). A malformed key or a double configuration still throws.
   */
  public static Optional<LoadedKey> find(Path keyFile, Map<String, String> env, Path defaultKeyFile)
      throws IOException {
    String fromEnv = env.get(ENV_VAR);
    boolean envSet = fromEnv != null && !fromEnv.isBlank();
    if (keyFile == null && !envSet && (defaultKeyFile == null || !Files.exists(defaultKeyFile))) {
      return Optional.empty();
    }
    if (keyFile != null && !envSet && !Files.exists(keyFile)) {
      return Optional.empty();
    }
    return Optional.of(resolve(keyFile, env, defaultKeyFile));
  }

  /** The file a key is looked for in: the configured one, else the default one. */
  public static Path keyFilePath(Path keyFile, Path defaultKeyFile) {
    return keyFile != null ? keyFile : defaultKeyFile;
  }

  /** Creates a key file with a new random key; fails if the file exists. */
  public static LoadedKey create(Path file) throws IOException {
    SymmetricKey key = SymmetricKey.random();
    List<String> warnings = new ArrayList<>();
    writeKeyFile(file, key, warnings);
    return new LoadedKey(key, Source.CREATED, Optional.of(file), warnings);
  }

  /** Loads the default key file, creating it with a new random key if it does not exist. */
  public static LoadedKey loadOrCreate(Path defaultKeyFile) throws IOException {
    try {
      SymmetricKey key = readKeyFile(defaultKeyFile);
      return new LoadedKey(
          key,
          Source.DEFAULT_KEY_FILE,
          Optional.of(defaultKeyFile),
          permissionWarnings(defaultKeyFile));
    } catch (NoSuchFileException e) {
      // Created below.
    }
    SymmetricKey key = SymmetricKey.random();
    List<String> warnings = new ArrayList<>();
    try {
      writeKeyFile(defaultKeyFile, key, warnings);
    } catch (FileAlreadyExistsException e) {
      // Another process created it between our read and our write: its key is the one to use.
      return new LoadedKey(
          readKeyFile(defaultKeyFile),
          Source.DEFAULT_KEY_FILE,
          Optional.of(defaultKeyFile),
          permissionWarnings(defaultKeyFile));
    }
    return new LoadedKey(key, Source.CREATED, Optional.of(defaultKeyFile), warnings);
  }

  /** Reads a key file holding base64 key bytes. */
  public static SymmetricKey readKeyFile(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      throw new KeyConfigurationException("cannot read backup key file " + file + ": " + e, e);
    }
    return parse(text, "backup key file " + file);
  }

  /** Decodes base64 key text; {@code origin} names where it came from, for the error message. */
  public static SymmetricKey parse(String base64, String origin) throws KeyConfigurationException {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new KeyConfigurationException(origin + " is not valid base64", e);
    }
    if (raw.length != SymmetricKey.LENGTH) {
      throw new KeyConfigurationException(
          origin
              + " must hold "
              + SymmetricKey.LENGTH
              + " bytes in base64 (44 characters), but holds "
              + raw.length
              + " bytes");
    }
    return SymmetricKey.of(raw);
  }

  /** The text form of a key, as key files and the environment variable hold it. */
  public static String encode(SymmetricKey key) {
    return Base64.getEncoder().encodeToString(key.bytes());
  }

  /**
   * Creates a key file readable only by its owner, crash-safely (written and fsynced under a
   * temporary name, then linked into place, which fails rather than replace an existing key).
   *
   * @throws FileAlreadyExistsException if the file exists
   */
  public static void writeKeyFile(Path file, SymmetricKey key) throws IOException {
    writeKeyFile(file, key, new ArrayList<>());
  }

  private static void writeKeyFile(Path file, SymmetricKey key, List<String> warnings)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    byte[] suffix = new byte[8];
    new SecureRandom().nextBytes(suffix);
    Path temp = dir.resolve(".tmp-key-" + HexFormat.of().formatHex(suffix));
    try {
      FileChannel ch = openOwnerOnly(temp, file, warnings);
      try (ch;
          OutputStream out = Channels.newOutputStream(ch)) {
        out.write((encode(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ch.force(true);
      }
      Files.createLink(file, temp);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // Directories cannot be opened on some platforms (Windows); the link is still made.
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static FileChannel openOwnerOnly(Path temp, Path file, List<String> warnings)
      throws IOException {
    try {
      FileAttribute<Set<PosixFilePermission>> perms =
          PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      // Permissions are set at creation, so the key is never readable by others even briefly.
      return FileChannel.open(
          temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), perms);
    } catch (UnsupportedOperationException e) {
      warnings.add(
          "the file system of " + file + " has no POSIX permissions; restrict access to it");
      return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
  }

  private static List<String> permissionWarnings(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      for (PosixFilePermission p : perms) {
        if (!OWNER_ONLY.contains(p) && p != PosixFilePermission.OWNER_EXECUTE) {
          return List.of(
              "backup key file "
                  + file
                  + " is accessible to other users ("
                  + PosixFilePermissions.toString(perms)
                  + "); run chmod 600 on it");
        }
      }
    } catch (UnsupportedOperationException | IOException e) {
      // Nothing to check on file systems without POSIX permissions.
    }
    return List.of();
  }
}
