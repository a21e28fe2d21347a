package dev.tidemark.testkit;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A small HTTP proxy for fault tests, between a client and a server on this machine (an S3 server,
 * or a Tidemark region for its peers). Each request is shown to a rule, which lets it through,
 * delays it, answers it with an error, resets the connection, cuts the response off after some
 * bytes, delivers it twice, or delivers it and keeps a copy to deliver again later ({@link
 * #releaseHeld}: late, and in reverse order). (Headers cannot be changed: SigV4 and the peers'
 * signature cover them.) Every request is forwarded with {@code Connection: close}, so one
 * connection carries one request and every request meets the rule.
 */
public final class FaultProxy implements AutoCloseable {

  /** What the rule sees of a request. */
  public record Request(String method, String target, List<String> headerLines) {
    public boolean isPut() {
      return method.equals("PUT");
    }

    public boolean isGet() {
      return method.equals("GET");
    }

    /** Whether the request's path (without the query) contains {@code s}. */
    public boolean pathContains(String s) {
      int q = target.indexOf('?');
      return (q < 0 ? target : target.substring(0, q)).contains(s);
    }

    /** The value of the first header of that name, or null. */
    public String header(String name) {
      String lower = name.toLowerCase(Locale.ROOT) + ":";
      for (String h : headerLines) {
        if (h.toLowerCase(Locale.ROOT).startsWith(lower)) {
          return h.substring(lower.length()).trim();
        }
      }
      return null;
    }

    public boolean hasHeader(String name) {
      String lower = name.toLowerCase(Locale.ROOT) + ":";
      return headerLines.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith(lower));
    }
  }

  /** What happens to one request. */
  public sealed interface Fault {}

  public record Pass() implements Fault {}

  public record Delay(Duration delay) implements Fault {}

  /**
   * Answers with this HTTP status without asking the server: an S3 error body with this code, or
   * for a 2xx status an empty success (a service that claims a write it did not check).
   */
  public record Answer(int status, String code) implements Fault {}

  /** Closes the connection at once, with nothing answered. */
  public record Reset() implements Fault {}

  /** Forwards the request, but ends the response after this many bytes. */
  public record CutResponse(long afterBytes) implements Fault {}

  /** Forwards the request twice and answers with the second answer (a retried delivery). */
  public record Duplicate() implements Fault {}

  /**
   * Forwards the request and keeps a copy, which {@link #releaseHeld} delivers again later (a
   * delivery delayed past newer ones). Needs a Content-Length body.
   */
  public record Hold() implements Fault {}

  public static final Fault PASS = new Pass();

  private final ServerSocket socket;
  private final int upstreamPort;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "fault-proxy");
            t.setDaemon(true);
            return t;
          });
  private volatile Function<Request, Fault> rule = r -> PASS;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger injected = new AtomicInteger();
  private final List<byte[][]> held = new java.util.concurrent.CopyOnWriteArrayList<>();

  public FaultProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  /** Replaces the rule; {@code r -> PASS} heals. */
  public void rule(Function<Request, Fault> rule) {
    this.rule = rule;
  }

  public void heal() {
    rule(r -> PASS);
  }

  public int requests() {
    return requests.get();
  }

  /** How many requests met a fault other than {@link Pass}. */
  public int injected() {
    return injected.get();
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
    try (client) {
      InputStream in = client.getInputStream();
      byte[] headBytes = readHead(in);
      if (headBytes == null) {
        return;
      }
      String[] lines = new String(headBytes, ISO_8859_1).split("\r\n");
      String[] requestLine = lines[0].split(" ");
      List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
      Request request = new Request(requestLine[0], requestLine[1], headers);
      requests.incrementAndGet();
      Fault fault = rule.apply(request);
      if (!(fault instanceof Pass)) {
        injected.incrementAndGet();
      }
      if (fault instanceof Delay d) {
        Thread.sleep(d.delay().toMillis());
      } else if (fault instanceof Reset) {
        client.setSoLinger(true, 0);
        return;
      } else if (fault instanceof Answer e) {
        answer(client, request, in, e);
        return;
      } else if (fault instanceof Duplicate || fault instanceof Hold) {
        byte[][] whole = {head(lines[0], headers), readBody(in, headers)};
        byte[] answer = exchange(whole);
        if (fault instanceof Duplicate) {
          answer = exchange(whole);
        } else {
          held.add(whole);
        }
        client.getOutputStream().write(answer);
        client.getOutputStream().flush();
        return;
      }
      long limit = fault instanceof CutResponse c ? c.afterBytes() : Long.MAX_VALUE;
      forward(client, in, lines[0], headers, limit);
    } catch (IOException e) {
      // The client or the server went away; the client sees a broken connection.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Delivers every held request again, newest first, and forgets them; returns how many the server
   * answered with 200.
   */
  public int releaseHeld() throws IOException {
    List<byte[][]> copies = new ArrayList<>(held);
    held.removeAll(copies);
    java.util.Collections.reverse(copies);
    int ok = 0;
    for (byte[][] c : copies) {
      if (new String(exchange(c), ISO_8859_1).startsWith("HTTP/1.1 200")) {
        ok++;
      }
    }
    return ok;
  }

  public int heldCount() {
    return held.size();
  }

  private static byte[] head(String requestLine, List<String> headers) {
    headers.removeIf(h -> h.toLowerCase(Locale.ROOT).startsWith("connection:"));
    StringBuilder head = new StringBuilder(requestLine).append("\r\n");
    headers.forEach(h -> head.append(h).append("\r\n"));
    head.append("Connection: close\r\n\r\n");
    return head.toString().getBytes(ISO_8859_1);
  }

  private static byte[] readBody(InputStream in, List<String> headers) throws IOException {
    for (String h : headers) {
      if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return in.readNBytes(Integer.parseInt(h.substring(h.indexOf(':') + 1).trim()));
      }
    }
    return new byte[0];
  }

  /** One whole request (head, body) to the server on a new connection; its whole answer. */
  private byte[] exchange(byte[][] request) throws IOException {
    try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      upstream.getOutputStream().write(request[0]);
      upstream.getOutputStream().write(request[1]);
      upstream.getOutputStream().flush();
      return upstream.getInputStream().readAllBytes();
    }
  }

  private void forward(
      Socket client, InputStream in, String requestLine, List<String> headers, long limit)
      throws IOException {
    byte[] head = head(requestLine, headers);
    try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      OutputStream up = upstream.getOutputStream();
      up.write(head);
      up.flush();
      threads.execute(
          () -> {
            try {
              in.transferTo(up);
            } catch (IOException e) {
              // Either side closed.
            }
          });
      InputStream down = upstream.getInputStream();
      OutputStream out = client.getOutputStream();
      byte[] buf = new byte[16 * 1024];
      long sent = 0;
      for (int n; (n = down.read(buf)) > 0; ) {
        int allowed = (int) Math.min(n, limit - sent);
        out.write(buf, 0, allowed);
        sent += allowed;
        if (sent >= limit) {
          out.flush();
          client.setSoLinger(true, 0);
          return;
        }
      }
      out.flush();
    }
  }

  private static void answer(Socket client, Request request, InputStream in, Answer e)
      throws IOException {
    // Read a body that is already on its way, so closing does not reset the connection before
    // the client has read the answer.
    if (!request.hasHeader("Expect")) {
      for (String h : request.headerLines()) {
        if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          in.skipNBytes(Long.parseLong(h.substring(h.indexOf(':') + 1).trim()));
        }
      }
    }
    byte[] body =
        e.status() < 300
            ? new byte[0]
            : ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                    + e.code()
                    + "</Code><Message>injected by the test's fault proxy</Message></Error>")
                .getBytes(UTF_8);
    String head =
        "HTTP/1.1 "
            + e.status()
            + " Injected\r\nContent-Type: application/xml\r\nContent-Length: "
            + body.length
            + (e.status() < 300 ? "\r\nETag: \"0\"" : "")
            + "\r\nConnection: close\r\n\r\n";
    OutputStream out = client.getOutputStream();
    out.write(head.getBytes(ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** The bytes up to and including the blank line, or null if the connection ended first. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    byte[] all = head.toByteArray();
    return java.util.Arrays.copyOf(all, all.length - 4);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    threads.shutdownNow();
  }
}
