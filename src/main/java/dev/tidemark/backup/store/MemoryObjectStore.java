package dev.tidemark.backup.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;

/** An {@link ObjectStore} in memory, with exactly the semantics of the durable stores. */
public final class MemoryObjectStore implements ObjectStore {
  private final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();

  @Override
  public PendingObject create(String name) {
    return new PendingObject(name) {
      private ByteArrayOutputStream buffer = new ByteArrayOutputStream();

      @Override
      public void write(int b) throws IOException {
        open().write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        open().write(b, off, len);
      }

      private ByteArrayOutputStream open() throws IOException {
        if (buffer == null) {
          throw new IOException("upload of " + name() + " is already committed or closed");
        }
        return buffer;
      }

      @Override
      public void commit() throws IOException {
        byte[] content = open().toByteArray();
        buffer = null;
        publish(name(), content);
      }

      @Override
      public void close() {
        buffer = null;
      }
    };
  }

  // Synchronized so that the conflict checks and the insertion are one step, as a
  // create-if-absent is on disk.
  private synchronized void publish(String name, byte[] content) throws IOException {
    byte[] existing = objects.get(name);
    if (existing != null) {
      if (Arrays.equals(existing, content)) {
        return;
      }
      throw new ObjectAlreadyExistsException(name);
    }
    int slash = name.indexOf('/');
    while (slash >= 0) {
      String parent = name.substring(0, slash);
      if (objects.containsKey(parent)) {
        throw new ObjectNameConflictException(name, parent);
      }
      slash = name.indexOf('/', slash + 1);
    }
    Map.Entry<String, byte[]> child = objects.ceilingEntry(name + "/");
    if (child != null && child.getKey().startsWith(name + "/")) {
      throw new ObjectNameConflictException(name, child.getKey());
    }
    objects.put(name, content);
  }

  @Override
  public InputStream get(String name) throws IOException {
    byte[] content = objects.get(ObjectNames.validate(name));
    if (content == null) {
      throw new NoSuchObjectException(name);
    }
    return new ByteArrayInputStream(content);
  }

  @Override
  public OptionalLong size(String name) {
    byte[] content = objects.get(ObjectNames.validate(name));
    return content == null ? OptionalLong.empty() : OptionalLong.of(content.length);
  }

  @Override
  public List<String> list(String prefix) {
    ObjectNames.validatePrefix(prefix);
    List<String> names = new ArrayList<>();
    for (String name : objects.tailMap(prefix, true).keySet()) {
      if (!name.startsWith(prefix)) {
        break;
      }
      names.add(name);
    }
    return names;
  }

  @Override
  public boolean delete(String name) {
    return objects.remove(ObjectNames.validate(name)) != null;
  }

  /** Sum of all stored object sizes; lets tests measure what dedup saves. */
  public long totalBytes() {
    return objects.values().stream().mapToLong(b -> b.length).sum();
  }

  /** Replaces an object's stored bytes behind the store's back, as disk corruption would. */
  public void tamper(String name, byte[] newContent) {
    if (objects.replace(name, newContent.clone()) == null) {
      throw new IllegalArgumentException("no such object: " + name);
    }
  }

  /** A copy of an object's stored bytes, for tests that inspect or corrupt them. */
  public byte[] rawBytes(String name) {
    byte[] content = objects.get(name);
    if (content == null) {
      throw new IllegalArgumentException("no such object: " + name);
    }
    return content.clone();
  }
}
