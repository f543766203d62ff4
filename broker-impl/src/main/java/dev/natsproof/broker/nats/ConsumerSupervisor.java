package dev.natsproof.broker.nats;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The thread that looks after a broker's consumers: a look at each about once a second, and a fresh
 * pull for each right after a reconnect. Its work may block on the JetStream API (a consumer info
 * request during an outage waits for its timeout), which is why it is not the enqueue timer: async
 * enqueues keep their per-attempt timeouts however long a look takes.
 */
final class ConsumerSupervisor implements AutoCloseable {
  private final Set<NatsStreamConsumer> consumers = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService thread;

  ConsumerSupervisor(String name) {
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "natsproof-consumer-supervisor-" + name);
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  void add(NatsStreamConsumer c) {
    consumers.add(c);
  }

  void remove(NatsStreamConsumer c) {
    consumers.remove(c);
  }

  List<NatsStreamConsumer> consumers() {
    return List.copyOf(consumers);
  }

  private void tick() {
    for (NatsStreamConsumer c : consumers) {
      try {
        c.supervise();
      } catch (RuntimeException e) {
        // One consumer's trouble must not stop the others' supervision.
      }
    }
  }

  /**
   * jnats re-sends subscriptions on reconnect but not pull requests; it re-pulls only when a pull's
   * heartbeats have been missing long enough (observed ~2.4 s with 1 s pulls, 45-90 s with the
   * defaults). Pull again as soon as the connection is back. Called on a jnats thread: hands off.
   */
  void onReconnected() {
    for (NatsStreamConsumer c : consumers) {
      try {
        thread.execute(c::reconnected);
      } catch (RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
