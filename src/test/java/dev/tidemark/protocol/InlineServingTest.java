package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Operations;
import dev.tidemark.auth.Authenticator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Serving on the selector thread: protects that a request whose body is still in flight never
 * blocks a selector (other connections keep being answered), and that an answer goes out only when
 * {@link Acknowledgements} releases it, which is what keeps sync-mode writes unacknowledged until
 * they are durable.
 */
class InlineServingTest {

  private static String head(String target, int length) {
    return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
        + "X-Amz-Target: DynamoDB_20120810."
        + target
        + "\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  private static JsonNode json(RawHttp.Reply reply) throws Exception {
    return Json.MAPPER.readTree(reply.body());
  }

  @Test
  void aBodyStillInFlightDoesNotHoldUpOtherConnections() throws Exception {
    try (HttpServer server = new HttpServer(TestActions.operations(), "us-east-1", () -> "rid")) {
      int port = server.start("127.0.0.1", 0);
      byte[] body = "{\"half\":\"one\",\"other\":\"two\"}".getBytes(StandardCharsets.UTF_8);
      try (RawHttp slow = new RawHttp(port)) {
        // Headers and half the body: the rest arrives only after the others were answered.
        slow.send(head("EchoInline", body.length), java.util.Arrays.copyOf(body, 10));
        List<RawHttp> others = new ArrayList<>();
        try {
          for (int i = 0; i < 6; i++) {
            RawHttp c = new RawHttp(port);
            others.add(c);
            byte[] b = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            c.send(head("EchoInline", b.length), b);
            RawHttp.Reply r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(json(r).path("Request").path("n").asInt()).isEqualTo(i);
          }
        } finally {
          for (RawHttp c : others) {
            c.close();
          }
        }
        slow.send("", java.util.Arrays.copyOfRange(body, 10, body.length));
        RawHttp.Reply r = slow.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).path("Request").path("other").asText()).isEqualTo("two");
      }
    }
  }

  /** Holds every answer until the test releases (or fails) it. */
  private static final class HeldAcknowledgements implements Acknowledgements {
    final CompletableFuture<Runnable> send = new CompletableFuture<>();
    final CompletableFuture<Consumer<RuntimeException>> fail = new CompletableFuture<>();

    @Override
    public void begin() {}

    @Override
    public void end(Runnable send, Consumer<RuntimeException> fail) {
      this.send.complete(send);
      this.fail.complete(fail);
    }
  }

  private static HttpServer server(Acknowledgements acks) {
    return new HttpServer(
        TestActions.operations(),
        () -> "rid",
        Authenticator.acceptAnyCredentials("us-east-1"),
        HttpServer.Limits.defaults(),
        acks);
  }

  @Test
  void anAnswerWaitsUntilAcknowledgementsReleaseIt() throws Exception {
    HeldAcknowledgements acks = new HeldAcknowledgements();
    try (HttpServer server = server(acks)) {
      int port = server.start("127.0.0.1", 0);
      try (RawHttp c = new RawHttp(port)) {
        byte[] b = "{\"k\":1}".getBytes(StandardCharsets.UTF_8);
        c.send(head("EchoInline", b.length), b);
        Runnable send = acks.send.get(10, TimeUnit.SECONDS);
        assertThat(c.readsNothingFor(200)).isTrue();
        send.run();
        RawHttp.Reply r = c.read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).path("Request").path("k").asInt()).isEqualTo(1);
      }
    }
  }

  @Test
  void whenDurabilityFailsTheClientGetsAnInternalErrorNotTheAnswer() throws Exception {
    HeldAcknowledgements acks = new HeldAcknowledgements();
    try (HttpServer server = server(acks)) {
      int port = server.start("127.0.0.1", 0);
      try (RawHttp c = new RawHttp(port)) {
        byte[] b = "{\"k\":1}".getBytes(StandardCharsets.UTF_8);
        c.send(head("EchoInline", b.length), b);
        acks.fail.get(10, TimeUnit.SECONDS).accept(new IllegalStateException("sync failed"));
        RawHttp.Reply r = c.read();
        assertThat(r.status()).isEqualTo(500);
        assertThat(json(r).path("__type").asText()).endsWith("#InternalServerError");
        assertThat(r.text()).doesNotContain("\"k\"");
      }
    }
  }

  /**
   * Releases every answer 20 ms later on one thread of its own, as the write path's sync thread
   * does once a commit is durable: the answer leaves after the handler returned.
   */
  private static final class SyncThreadAcknowledgements implements Acknowledgements {
    final java.util.concurrent.ScheduledExecutorService sync =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "test-sync"));

    @Override
    public void begin() {}

    @Override
    public void end(Runnable send, Consumer<RuntimeException> fail) {
      sync.schedule(send, 20, TimeUnit.MILLISECONDS);
    }
  }

  private static byte[] request(int n) {
    byte[] body = ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    byte[] head = head("WhereInline", body.length).getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  /**
   * Protects the resumption of a connection by the thread that sent its answer (RequestThreads):
   * the connection keeps serving its next requests, a request that was already waiting (pipelined)
   * is answered in order, and no action ever runs on the sending thread, which in the server is the
   * write path's sync thread.
   */
  @Test
  void aConnectionAnsweredFromTheSyncThreadGoesOnServingWithoutRunningActionsThere()
      throws Exception {
    SyncThreadAcknowledgements acks = new SyncThreadAcknowledgements();
    Operations operations =
        new Operations()
            .register(
                TestActions.inline(
                    "WhereInline",
                    (ctx, req) -> {
                      ObjectNode out = JsonNodeFactory.instance.objectNode();
                      out.set("Request", req);
                      out.put("Thread", Thread.currentThread().getName());
                      return out;
                    }));
    try (HttpServer server =
        new HttpServer(
            operations,
            () -> "rid",
            Authenticator.acceptAnyCredentials("us-east-1"),
            HttpServer.Limits.defaults(),
            acks)) {
      // Another front on the same port, as IAM's or the console's: it may block, so it must not
      // run on the sync thread either when its request follows a write on one connection.
      server.addFront(
          new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(
                org.eclipse.jetty.server.Request request,
                org.eclipse.jetty.server.Response response,
                org.eclipse.jetty.util.Callback callback) {
              if (!"/front".equals(request.getHttpURI().getPath())) {
                return false;
              }
              Wire.sendText(response, callback, 200, Thread.currentThread().getName(), "rid");
              return true;
            }
          });
      int port = server.start("127.0.0.1", 0);
      try (RawHttp c = new RawHttp(port)) {
        for (int i = 0; i < 3; i++) {
          c.send("", request(i));
          JsonNode answer = json(c.read());
          assertThat(answer.path("Request").path("n").asInt()).isEqualTo(i);
        }
        // Two requests in one write: the second is found when the first one's answer has gone
        // out and the sync thread resumes the connection.
        byte[] first = request(10);
        byte[] second = request(11);
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        c.send("", both);
        List<JsonNode> answers = List.of(json(c.read()), json(c.read()));
        assertThat(answers)
            .extracting(a -> a.path("Request").path("n").asInt())
            .containsExactly(10, 11);
        assertThat(answers).extracting(a -> a.path("Thread").asText()).doesNotContain("test-sync");
        c.send("", request(12));
        assertThat(json(c.read()).path("Request").path("n").asInt()).isEqualTo(12);
        c.send(
            new String(request(13), StandardCharsets.UTF_8)
                + "GET /front HTTP/1.1\r\nHost: x\r\n\r\n",
            null);
        assertThat(json(c.read()).path("Request").path("n").asInt()).isEqualTo(13);
        RawHttp.Reply front = c.read();
        assertThat(front.status()).isEqualTo(200);
        assertThat(front.text()).isNotEmpty().isNotEqualTo("test-sync");
      }
    } finally {
      acks.sync.shutdownNow();
    }
  }
}
