package dev.tidemark.replication;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sender of apply frames ({@link PeerHttp}) against a scripted HTTP server: what it sends, the
 * answer framings it must read (length, chunks, close-delimited), reuse of a kept-alive connection,
 * a connection the server closed while idle (a new one is opened: the frame is not lost to a dead
 * socket), an answer cut short (a failure, never a short body taken as whole), close() ending a
 * read that waits for the peer, no request sent twice by the client, and each request's timeout.
 */
class PeerHttpTest {
  /** What the server does with one request on a connection: returns false to close it. */
  @FunctionalInterface
  interface Script {
    boolean answer(String head, byte[] body, OutputStream out) throws IOException;
  }

  private ServerSocket server;
  private final List<Socket> accepted = new ArrayList<>();
  private final BlockingQueue<String> heads = new LinkedBlockingQueue<>();

  private URI serve(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  synchronized (accepted) {
                    accepted.add(s);
                  }
                  Thread c = new Thread(() -> connection(s, script));
                  c.setDaemon(true);
                  c.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
  }

  private void connection(Socket s, Script script) {
    try (s) {
      InputStream in = s.getInputStream();
      while (true) {
        String head = head(in);
        if (head == null) {
          return;
        }
        heads.add(head);
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        byte[] body = in.readNBytes(length);
        if (!script.answer(head, body, s.getOutputStream())) {
          return;
        }
      }
    } catch (IOException e) {
      // The client went away.
    }
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.write(c);
      matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : (c == '\r' ? 1 : 0);
    }
    return b.toString(ISO_8859_1);
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(ISO_8859_1));
    out.flush();
  }

  private int connections() {
    synchronized (accepted) {
      return accepted.size();
    }
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    synchronized (accepted) {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  private static final String[] HEADERS = {"Content-Type", "application/octet-stream"};

  @Test
  void sendsTheRequestAndReusesTheConnectionForTheNext() throws Exception {
    URI base =
        serve(
            (head, body, out) -> {
              write(
                  out,
                  "HTTP/1.1 200 OK\r\nContent-Length: "
                      + (body.length + 2)
                      + "\r\nX-Tidemark-Time: 1234\r\n\r\n["
                      + new String(body, ISO_8859_1)
                      + "]");
              return true;
            });
    try (PeerHttp http = new PeerHttp(base, null)) {
      PeerHttp.Answer a =
          http.post("/tidemark/replication/apply-frame", HEADERS, "abc".getBytes(ISO_8859_1), T);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.clock()).isEqualTo("1234");
      assertThat(new String(a.body(), ISO_8859_1)).isEqualTo("[abc]");
      String head = heads.take();
      assertThat(head).startsWith("POST /tidemark/replication/apply-frame HTTP/1.1\r\n");
      assertThat(head).contains("\r\nHost: 127.0.0.1:" + base.getPort() + "\r\n");
      assertThat(head).contains("\r\nContent-Type: application/octet-stream\r\n");
      assertThat(head).contains("\r\nContent-Length: 3\r\n");

      PeerHttp.Answer b = http.post("/x", HEADERS, new byte[0], T);
      assertThat(new String(b.body(), ISO_8859_1)).isEqualTo("[]");
      assertThat(connections()).as("one kept-alive connection").isEqualTo(1);
    }
  }

  @Test
  void readsChunkedAndCloseDelimitedAnswers() throws Exception {
    URI base =
        serve(
            (head, body, out) -> {
              if (head.startsWith("POST /chunked")) {
                write(
                    out,
                    "HTTP/1.1 500 Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3\r\n{\"a\r\n4;x=y\r\n\":1}\r\n0\r\n\r\n");
                return true;
              }
              write(out, "HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n{\"b\":2}");
              return false;
            });
    try (PeerHttp http = new PeerHttp(base, null)) {
      PeerHttp.Answer a = http.post("/chunked", HEADERS, new byte[0], T);
      assertThat(a.status()).isEqualTo(500);
      assertThat(new String(a.body(), ISO_8859_1)).isEqualTo("{\"a\":1}");
      PeerHttp.Answer b = http.post("/closing", HEADERS, new byte[0], T);
      assertThat(b.status()).isEqualTo(403);
      assertThat(new String(b.body(), ISO_8859_1)).isEqualTo("{\"b\":2}");
      // The server closed that connection: the next request takes a new one.
      PeerHttp.Answer c = http.post("/chunked", HEADERS, new byte[0], T);
      assertThat(c.status()).isEqualTo(500);
      assertThat(connections()).isEqualTo(2);
    }
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsNotWrittenInto() throws Exception {
    URI base =
        serve(
            (head, body, out) -> {
              // Keep-alive announced, then the connection is closed anyway (a restarted server,
              // an idle timeout).
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
              return false;
            });
    try (PeerHttp http = new PeerHttp(base, null)) {
      assertThat(http.post("/a", HEADERS, new byte[0], T).status()).isEqualTo(200);
      // Give the close time to arrive.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (heads.size() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(100);
      assertThat(http.post("/b", HEADERS, new byte[0], T).status()).isEqualTo(200);
      assertThat(heads).hasSize(2);
      assertThat(connections()).isEqualTo(2);
    }
  }

  @Test
  void anAnswerCutShortIsAFailureNotAShortBody() throws Exception {
    URI base =
        serve(
            (head, body, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"applied\":");
              return false;
            });
    try (PeerHttp http = new PeerHttp(base, null)) {
      assertThatThrownBy(() -> http.post("/a", HEADERS, new byte[0], T))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void closeEndsARequestWaitingForItsAnswer() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    URI base =
        serve(
            (head, body, out) -> {
              received.countDown();
              return true; // never answers
            });
    PeerHttp http = new PeerHttp(base, null);
    BlockingQueue<Throwable> outcome = new LinkedBlockingQueue<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                http.post("/a", HEADERS, new byte[0], Duration.ofMinutes(5));
                outcome.add(new AssertionError("answered"));
              } catch (Throwable e) {
                outcome.add(e);
              }
            });
    caller.start();
    assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
    http.close();
    assertThat(outcome.poll(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> http.post("/b", HEADERS, new byte[0], T))
        .isInstanceOf(IOException.class);
  }

  /**
   * The shipper retries a failed exchange itself, after its back-off; a client that silently sent
   * the frame again would double the load on a peer that is already failing.
   */
  @Test
  void aFailedExchangeIsNotSentAgain() throws Exception {
    URI base = serve((head, body, out) -> false); // reads the request, closes without an answer
    try (PeerHttp http = new PeerHttp(base, null)) {
      assertThatThrownBy(() -> http.post("/a", HEADERS, "abc".getBytes(ISO_8859_1), T))
          .isInstanceOf(IOException.class);
      Thread.sleep(200);
      assertThat(heads).hasSize(1);
    }
  }

  /**
   * The timeout given with each request bounds the wait for the answer (a peer that hangs must not
   * stall its shipper for longer), and a later request with another timeout gets its own.
   */
  @Test
  void eachRequestsTimeoutBoundsTheWaitForItsAnswer() throws Exception {
    URI base =
        serve(
            (head, body, out) -> {
              if (head.startsWith("POST /slow")) {
                return true; // never answers
              }
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
              return true;
            });
    try (PeerHttp http = new PeerHttp(base, null)) {
      assertThatThrownBy(() -> http.post("/slow", HEADERS, new byte[0], Duration.ofMillis(300)))
          .isInstanceOf(IOException.class);
      assertThat(http.post("/fast", HEADERS, new byte[0], T).status()).isEqualTo(200);
      assertThatThrownBy(() -> http.post("/slow", HEADERS, new byte[0], Duration.ofMillis(200)))
          .isInstanceOf(IOException.class);
    }
  }

  private static final Duration T = Duration.ofSeconds(10);
}
