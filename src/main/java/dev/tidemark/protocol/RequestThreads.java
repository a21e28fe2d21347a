package dev.tidemark.protocol;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's thread pool, with one difference: a connection whose answer is sent by {@link
 * #sendThenResume} is resumed on the sending thread instead of on a pool thread.
 *
 * <p>Why: an answer to a durable write goes out after the handler returned, from the write path's
 * sync thread. Jetty then hands the connection to a pool thread to look for its next request
 * (HTTP/1.1 may pipeline), which nearly always finds none and only asks the selector to watch the
 * socket again. That hand-off (wake a parked thread, switch to it, park it again) was paid on every
 * durable write and cost more than the work it carried. The sender now does that work itself: one
 * non-blocking read and the selector registration. If a request has arrived by then, {@link
 * PoolWhileResuming} hands it to the pool, whichever front it is for, so no handler ever runs on
 * the sender's thread.
 */
final class RequestThreads extends QueuedThreadPool {
  private static final Logger log = LoggerFactory.getLogger(RequestThreads.class);

  /** The connections to resume after the current send; set only inside {@link #sendThenResume}. */
  private static final ThreadLocal<List<Runnable>> HELD = new ThreadLocal<>();

  /** Set while this thread resumes a connection (runs Jetty's read of its next request). */
  private static final ThreadLocal<Boolean> RESUMING = new ThreadLocal<>();

  RequestThreads(int maxThreads, int minThreads) {
    super(maxThreads, minThreads);
  }

  @Override
  public void execute(Runnable job) {
    List<Runnable> held = HELD.get();
    // Jetty resumes a connection by executing the connection itself; nothing else is held.
    if (held != null && job instanceof Connection) {
      held.add(job);
      return;
    }
    super.execute(job);
  }

  /**
   * Runs {@code send} (which completes a response), then resumes on this thread the connection that
   * Jetty would have handed to a pool thread. The resumption runs after {@code send} has returned,
   * so outside every Jetty callback of the finished exchange.
   */
  static void sendThenResume(Runnable send) {
    if (HELD.get() != null || RESUMING.get() != null) {
      send.run(); // nested: the outer call resumes
      return;
    }
    List<Runnable> held = new ArrayList<>(1);
    HELD.set(held);
    try {
      send.run();
    } finally {
      HELD.remove();
      resume(held);
    }
  }

  private static void resume(List<Runnable> held) {
    for (Runnable connection : held) {
      RESUMING.set(Boolean.TRUE);
      try {
        connection.run();
      } catch (RuntimeException e) {
        log.warn("Resuming a connection after its answer failed", e);
      } finally {
        RESUMING.remove();
      }
    }
  }

  /**
   * True while this thread resumes a connection: a request found then must be served on a pool
   * thread, since this one may be the write path's sync thread.
   */
  static boolean resuming() {
    return RESUMING.get() != null;
  }

  /**
   * Outermost handler of the server's fronts: a request found while a sending thread resumes its
   * connection is handled on a pool thread, since that thread may be the write path's sync thread,
   * which must never run a handler (some block: backups, the console's reads, peer calls).
   */
  static final class PoolWhileResuming extends Handler.Wrapper {
    PoolWhileResuming(Handler fronts) {
      super(fronts);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (!resuming()) {
        return super.handle(request, response, callback);
      }
      request
          .getComponents()
          .getExecutor()
          .execute(
              () -> {
                try {
                  if (!super.handle(request, response, callback)) {
                    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                  }
                } catch (Throwable t) {
                  callback.failed(t);
                }
              });
      return true;
    }
  }
}
