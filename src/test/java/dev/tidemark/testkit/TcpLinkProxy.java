package dev.tidemark.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A TCP proxy in front of one region's consensus (Raft over gRPC) port, for partition tests. {@link
 * FaultProxy} works request by request on HTTP/1.1 and cannot carry gRPC's long-lived HTTP/2
 * connections, so this one forwards bytes and cuts whole connections: while its destination or the
 * connection's source is in the shared {@link #isolated} set, existing connections are closed and
 * new ones are closed as soon as they are accepted.
 *
 * <p>Every region dials the others on one advertised address, so a proxy in front of a region sees
 * connections from both others and must tell them apart. It finds the process that owns the
 * connection's other end in {@code /proc} (Linux): the socket's inode in {@code /proc/net/tcp*},
 * then the server process holding that inode among its descriptors.
 */
public final class TcpLinkProxy implements AutoCloseable {
  private final String destination;
  private final int upstreamPort;
  private final Map<Long, String> regionsByPid;
  private final Set<String> isolated;
  private final ServerSocket socket;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tcp-link-proxy");
            t.setDaemon(true);
            return t;
          });
  private final Map<Socket, String> open = new ConcurrentHashMap<>();
  private final AtomicInteger cut = new AtomicInteger();

  /**
   * @param destination the region behind this proxy
   * @param upstreamPort its consensus port
   * @param regionsByPid the server processes, by pid (filled in as they start)
   * @param isolated the regions cut off from every other (shared by all proxies of a test)
   */
  public TcpLinkProxy(
      String destination, int upstreamPort, Map<Long, String> regionsByPid, Set<String> isolated)
      throws IOException {
    this.destination = destination;
    this.upstreamPort = upstreamPort;
    this.regionsByPid = regionsByPid;
    this.isolated = isolated;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** How many connections were closed because of a cut. */
  public int cutConnections() {
    return cut.get();
  }

  /** Closes the open connections that the current {@link #isolated} set forbids. */
  public void enforce() {
    open.forEach(
        (s, source) -> {
          if (blocked(source)) {
            cut.incrementAndGet();
            closeQuietly(s);
          }
        });
  }

  private boolean blocked(String source) {
    return isolated.contains(destination) || isolated.contains(source);
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        threads.execute(() -> handle(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void handle(Socket client) {
    String source = sourceRegion(client.getPort());
    if (blocked(source)) {
      cut.incrementAndGet();
      closeQuietly(client);
      return;
    }
    try (client;
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      open.put(client, source);
      open.put(upstream, source);
      threads.execute(() -> pump(upstream, client));
      pump(client, upstream);
    } catch (IOException e) {
      // The destination is down (killed, restarting): the client sees the connection close.
    } finally {
      open.remove(client);
      open.entrySet().removeIf(e -> e.getKey().isClosed());
    }
  }

  /** Copies {@code from} to {@code to} until either ends, then closes both. */
  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buf = new byte[16 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // Closed by the other pump or by a cut.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /**
   * The region whose server process owns the local end {@code clientPort} of a connection to this
   * proxy, or "?" when none of them does (this JVM, or a process already gone).
   */
  private String sourceRegion(int clientPort) {
    String inode = inodeOf(clientPort, port());
    if (inode == null) {
      return "?";
    }
    String link = "socket:[" + inode + "]";
    for (Map.Entry<Long, String> e : regionsByPid.entrySet()) {
      try (Stream<Path> fds = Files.list(Path.of("/proc", e.getKey().toString(), "fd"))) {
        if (fds.anyMatch(fd -> link.equals(readLink(fd)))) {
          return e.getValue();
        }
      } catch (IOException | UncheckedIOException gone) {
        // the process exited
      }
    }
    return "?";
  }

  private static String readLink(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString();
    } catch (IOException e) {
      return "";
    }
  }

  /** The inode of the socket whose local port is {@code local} and remote port {@code remote}. */
  private static String inodeOf(int local, int remote) {
    String want = ":" + String.format(Locale.ROOT, "%04X", local);
    String peer = ":" + String.format(Locale.ROOT, "%04X", remote);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && f[1].endsWith(want) && f[2].endsWith(peer)) {
            return f[9];
          }
        }
      } catch (IOException e) {
        // no such table on this system
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
    open.keySet().forEach(TcpLinkProxy::closeQuietly);
    threads.shutdownNow();
  }
}
