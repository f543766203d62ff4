package dev.natsproof.benchmarks;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.nats.NatsBroker;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The two clients a Core benchmark compares side by side: natsproof's broker and raw jnats. Only
 * what the scenarios need: publish, subscribe with a byte handler, flush, counters, close.
 */
interface CoreClient extends AutoCloseable {
  void publish(String subject, byte[] data);

  void subscribe(String subject, Consumer<byte[]> handler);

  void flush(Duration timeout);

  String serverVersion();

  long slowConsumerEvents();

  long droppedMessages();

  @Override
  void close();

  static CoreClient open(String variant, List<String> urls, String name) {
    return switch (variant) {
      case "broker" -> new BrokerClient(urls, name);
      case "raw-jnats" -> new RawClient(urls, name);
      default ->
          throw new IllegalArgumentException(
              "unknown client variant '" + variant + "': use broker or raw-jnats");
    };
  }

  final class BrokerClient implements CoreClient {
    private final NatsBroker broker;

    BrokerClient(List<String> urls, String name) {
      broker =
          NatsBroker.connect(BrokerOptions.builder().servers(urls).connectionName(name).build());
    }

    @Override
    public void publish(String subject, byte[] data) {
      broker.publish(subject, data);
    }

    @Override
    public void subscribe(String subject, Consumer<byte[]> handler) {
      broker.subscribe(subject, m -> handler.accept(m.data()));
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

    @Override
    public long droppedMessages() {
      return broker.stats().dropped();
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
