package dev.tidemark.backup.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * An {@link ObjectStore} in a directory, typically on another disk or mount than the data
 * directory. Object {@code a/b/c} is the file {@code <root>/a/b/c}.
 *
 * <p>Crash safety: an upload goes to a hidden temporary file in the target's directory, which is
 * fsynced, then published with a hard link (which, unlike a rename, fails if the target exists, so
 * two concurrent puts of one name cannot silently replace each other), then the directory is
 * fsynced. After a crash the object is either entirely present or absent; leftover temporary files
 * are invisible to {@link #list} and removed when the store is opened. Created subdirectories are
 * fsynced into their parents too. Empty directories are left in place after deletes, because
 * removing them would race with concurrent puts into them.
 *
 * <p>One server process owns a store directory: opening it removes every temporary file, which
 * would break another process's upload in progress.
 */
public final class DirectoryObjectStore implements ObjectStore {
  static final String TEMP_PREFIX = ".tmp-";
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private final Path root;
  private final SecureRandom random = new SecureRandom();

  /** Opens (creating if needed) the store at {@code root} and removes abandoned uploads. */
  public DirectoryObjectStore(Path root) throws IOException {
    this(root, true);
  }

  private DirectoryObjectStore(Path root, boolean owner) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    if (owner) {
      Files.createDirectories(this.root);
      removeTemporaryFiles();
    }
  }

  /**
   * Opens the store at {@code root} without taking ownership: nothing is created or cleaned up, so
   * a command can read a store while its server is uploading to it.
   */
  public static DirectoryObjectStore forReading(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new java.nio.file.NoSuchFileException(root.toAbsolutePath() + " (no backup store)");
    }
    return new DirectoryObjectStore(root, false);
  }

  public Path root() {
    return root;
  }

  @Override
  public java.util.Optional<Path> localDirectory() {
    return java.util.Optional.of(root);
  }

  private Path path(String name) {
    ObjectNames.validate(name);
    Path p = root;
    for (String segment : name.split("/")) {
      p = p.resolve(segment);
    }
    // Validation already rules out escapes; this guards against a future loosening of the rules.
    if (!p.normalize().startsWith(root)) {
      throw new IllegalArgumentException("object name escapes the store: " + name);
    }
    return p;
  }

  @Override
  public PendingObject create(String name) throws IOException {
    Path target = path(name);
    Path dir = createParents(name, target.getParent());
    byte[] suffix = new byte[8];
    random.nextBytes(suffix);
    Path temp = dir.resolve(TEMP_PREFIX + HexFormat.of().formatHex(suffix));
    FileChannel channel =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return new FilePending(name, target, temp, channel);
  }

  private final class FilePending extends PendingObject {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private OutputStream out;
    private boolean done;

    FilePending(String name, Path target, Path temp, FileChannel channel) {
      super(name);
      this.target = target;
      this.temp = temp;
      this.channel = channel;
      this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    private OutputStream open() throws IOException {
      if (done) {
        throw new IOException("upload of " + name() + " is already committed or closed");
      }
      return out;
    }

    @Override
    public void write(int b) throws IOException {
      open().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      open().write(b, off, len);
    }

    @Override
    public void commit() throws IOException {
      open().flush();
      done = true;
      try {
        channel.force(true);
        channel.close();
        publish(name(), temp, target);
      } finally {
        channel.close();
        Files.deleteIfExists(temp);
      }
    }

    @Override
    public void close() throws IOException {
      if (!done) {
        done = true;
        channel.close();
        Files.deleteIfExists(temp);
      }
    }
  }

  private void publish(String name, Path temp, Path target) throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      refuseUnlessIdentical(name, temp, target);
      return;
    } catch (UnsupportedOperationException e) {
      publishByRename(name, temp, target);
      return;
    }
    fsyncDirectory(target.getParent());
  }

  // For file systems without hard links. The check-then-rename is atomic only within this
  // process, which is all the single-owner rule promises anyway.
  private synchronized void publishByRename(String name, Path temp, Path target)
      throws IOException {
    if (Files.exists(target)) {
      refuseUnlessIdentical(name, temp, target);
      return;
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory(target.getParent());
  }

  private static void refuseUnlessIdentical(String name, Path temp, Path target)
      throws IOException {
    if (!Files.isRegularFile(target)) {
      throw new ObjectNameConflictException(name, name + "/...");
    }
    if (Files.mismatch(temp, target) != -1L) {
      throw new ObjectAlreadyExistsException(name);
    }
  }

  /** Creates the missing directories between the root and {@code dir}, fsyncing each parent. */
  private Path createParents(String name, Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Path current = root;
    StringBuilder soFar = new StringBuilder();
    for (Path segment : root.relativize(dir)) {
      Path next = current.resolve(segment);
      soFar.append(soFar.length() == 0 ? "" : "/").append(segment);
      try {
        Files.createDirectory(next);
        fsyncDirectory(current);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(next)) {
          throw new ObjectNameConflictException(name, soFar.toString());
        }
      }
      current = next;
    }
    return dir;
  }

  @Override
  public InputStream get(String name) throws IOException {
    Path p = path(name);
    if (!Files.isRegularFile(p)) {
      throw new NoSuchObjectException(name);
    }
    try {
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw new NoSuchObjectException(name);
    }
  }

  @Override
  public OptionalLong size(String name) throws IOException {
    try {
      BasicFileAttributes attrs = Files.readAttributes(path(name), BasicFileAttributes.class);
      return attrs.isRegularFile() ? OptionalLong.of(attrs.size()) : OptionalLong.empty();
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    ObjectNames.validatePrefix(prefix);
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : path(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return hidden(dir) && !dir.equals(start)
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !hidden(file)) {
              String name = nameOf(file);
              if (name.startsWith(prefix)) {
                names.add(name);
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            // A concurrent delete is not an error for a listing.
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    Collections.sort(names);
    return names;
  }

  private static boolean hidden(Path p) {
    return p.getFileName().toString().startsWith(".");
  }

  private String nameOf(Path file) {
    StringBuilder sb = new StringBuilder();
    for (Path segment : root.relativize(file)) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(segment);
    }
    return sb.toString();
  }

  @Override
  public boolean delete(String name) throws IOException {
    Path p = path(name);
    if (!Files.isRegularFile(p)) {
      return false;
    }
    boolean existed;
    try {
      existed = Files.deleteIfExists(p);
    } catch (DirectoryNotEmptyException e) {
      return false;
    }
    if (existed) {
      fsyncDirectory(p.getParent());
    }
    return existed;
  }

  private void removeTemporaryFiles() throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile() && file.getFileName().toString().startsWith(TEMP_PREFIX)) {
              Files.deleteIfExists(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Makes a directory's entries (a new link, a removed file) durable. */
  static void fsyncDirectory(Path dir) throws IOException {
    // Windows cannot open a directory as a channel; NTFS journals metadata instead.
    if (WINDOWS) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
