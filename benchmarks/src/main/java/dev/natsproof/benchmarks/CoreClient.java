package dev.natsproof.benchmarks;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.nats.NatsBroker;
import dev.natsproof.results.FanOutClient;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The clients a Core benchmark compares side by side: natsproof's broker (plain or latest-only
 * subscriptions) and raw jnats. Only what the scenarios need: publish, subscribe with a byte
 * handler, flush, counters, close.
 */
interface CoreClient extends AutoCloseable {
  void publish(String subject, byte[] data);

  /** Plain, or latest-only for the broker-latest client. */
  void subscribe(String subject, Consumer<byte[]> handler);

  void flush(Duration timeout);

  String serverVersion();

  long slowConsumerEvents();

  long droppedMessages();

  @Override
  void close();

  static CoreClient open(FanOutClient client, List<String> urls, String name) {
    return switch (client) {
      case BROKER -> new BrokerClient(urls, name, false);
      case BROKER_LATEST -> new BrokerClient(urls, name, true);
      case RAW_JNATS -> new RawClient(urls, name);
    };
  }

  final class BrokerClient implements CoreClient {
    private final NatsBroker broker;
    private final boolean latest;
    private final List<dev.natsproof.broker.Subscription> latestSubs =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    BrokerClient(List<String> urls, String name, boolean latest) {
      this.latest = latest;
      broker =
          NatsBroker.connect(BrokerOptions.builder().servers(urls).connectionName(name).build());
    }

    @Override
    public void publish(String subject, byte[] data) {
      broker.publish(subject, data);
    }

    @Override
    public void subscribe(String subject, Consumer<byte[]> handler) {
      if (latest) {
        latestSubs.add(broker.subscribeLatest(subject, m -> handler.accept(m.data())));
      } else {
        broker.subscribe(subject, m -> handler.accept(m.data()));
      }
    }

    @Override
    public void flush(Duration timeout) {
      broker.flush(timeout);
    }

    @Override
    public String serverVersion() {
      return broker.serverVersion();
    }

    @Override
    public long slowConsumerEvents() {
      return broker.stats().slowConsumerEvents();
    }

    /** What the client dropped; latest-only replacements are not drops (they are by design). */
    @Override
    public long droppedMessages() {
      long replaced = 0;
      for (var sub : latestSubs) {
        replaced += sub.dropped();
      }
      return broker.stats().dropped() - replaced;
    }

    @Override
    public void close() {
      broker.close();
    }
  }

  final class RawClient implements CoreClient {
    private final Connection nc;
    private final Dispatcher dispatcher;
    private final java.util.concurrent.atomic.LongAdder slow =
        new java.util.concurrent.atomic.LongAdder();

    RawClient(List<String> urls, String name) {
      try {
        nc =
            Nats.connect(
                Options.builder()
                    .servers(urls.toArray(String[]::new))
                    .connectionName(name)
                    .errorListener(
                        new io.nats.client.ErrorListener() {
                          @Override
                          public void slowConsumerDetected(
                              Connection conn, io.nats.client.Consumer consumer) {
                            slow.increment();
                          }
                        })
                    .build());
      } catch (IOException e) {
        throw new IllegalStateException("cannot connect to " + urls + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted connecting to " + urls, e);
      }
      dispatcher = nc.createDispatcher();
    }

    @Override
    public void publish(String subject, byte[] data) {
      nc.publish(subject, data);
    }

    @Override
    public void subscribe(String subject, Consumer<byte[]> handler) {
      dispatcher.subscribe(subject, m -> handler.accept(m.getData()));
    }

    @Override
    public void flush(Duration timeout) {
      try {
        nc.flush(timeout);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("flush timed out after " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during flush", e);
      }
    }

    @Override
    public String serverVersion() {
      return nc.getServerInfo().getVersion();
    }

    @Override
    public long slowConsumerEvents() {
      return slow.sum();
    }

    @Override
    public long droppedMessages() {
      return nc.getStatistics().getDroppedCount();
    }

    @Override
    public void close() {
      try {
        nc.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
