package dev.natsproof.broker.nats;

import dev.natsproof.broker.AuthenticationException;
import dev.natsproof.broker.BrokerClosedException;
import dev.natsproof.broker.BrokerConnectException;
import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConnectionEvent;
import dev.natsproof.broker.ConnectionListener;
import dev.natsproof.broker.ConnectionState;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.support.Status;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One jnats connection and what happens to it: options, connection events for the broker's
 * listeners, the JetStream status callbacks the consumers watch, and the counters of connection
 * trouble. The Core broker and the Stream broker each hold one; neither extends the other.
 */
final class NatsConnection {
  private static final AtomicInteger IDS = new AtomicInteger();

  /** What a consumer hears about its pull subscription from the client's status callbacks. */
  interface PullWatcher {
    /** The consumer {@code durable}'s heartbeats stopped, or the server sent an error status. */
    void onPullTrouble(String durable, String what);
  }

  private final BrokerOptions options;
  private final String name;
  private final Connection nc;
  private final List<ConnectionListener> listeners;
  private final List<Runnable> reconnectHooks = new CopyOnWriteArrayList<>();
  private final List<PullWatcher> pullWatchers = new CopyOnWriteArrayList<>();

  final LongAdder slowConsumerEvents = new LongAdder();
  final LongAdder listenerErrors = new LongAdder();
  final LongAdder reconnects = new LongAdder();
  final LongAdder disconnects = new LongAdder();

  NatsConnection(BrokerOptions options) {
    this.options = options;
    this.listeners = new CopyOnWriteArrayList<>(options.listeners());
    this.name = options.connectionName().orElse("natsproof-" + IDS.incrementAndGet());
    this.nc = connect(options);
  }

  private Connection connect(BrokerOptions o) {
    Options.Builder b =
        Options.builder()
            .servers(o.servers().toArray(String[]::new))
            .connectionName(name)
            .connectionTimeout(o.connectTimeout())
            .maxReconnects(o.maxReconnects())
            .reconnectWait(o.reconnectWait())
            .reconnectJitter(o.reconnectJitter())
            // jnats uses a separate jitter for TLS connections (1 s by default): the game's jitter
            // is meant for every connection, plain or TLS.
            .reconnectJitterTls(o.reconnectJitter())
            .reconnectBufferSize(o.reconnectBufferBytes())
            .pingInterval(o.pingInterval())
            .maxPingsOut(o.maxPingsOut())
            .reportNoResponders()
            .connectionListener(this::onNatsEvent)
            .errorListener(new Errors());
    if (o.ignoreDiscoveredServers()) {
      b.ignoreDiscoveredServers();
    }
    if (o.noRandomize()) {
      b.noRandomize();
    }
    o.user().ifPresent(u -> b.userInfo(u.toCharArray(), o.password().orElse(new char[0])));
    o.token().ifPresent(b::token);
    o.credentialsFile().ifPresent(p -> b.authHandler(Nats.credentials(p.toString())));
    o.sslContext().ifPresent(b::sslContext);
    String where = BrokerOptions.redact(o.servers());
    try {
      return Nats.connect(b.build());
    } catch (io.nats.client.AuthenticationException e) {
      throw new AuthenticationException(
          "server at "
              + where
              + " refused the credentials ("
              + BrokerOptions.redact(e.getMessage())
              + "): check user/password, token or credentials file",
          e);
    } catch (IOException e) {
      String m = BrokerOptions.redact(String.valueOf(e.getMessage()));
      if (m.toLowerCase().contains("authorization")) {
        throw new AuthenticationException(
            "server at " + where + " refused the credentials (" + m + ")", e);
      }
      throw new BrokerConnectException(
          "cannot connect to any of "
              + where
              + " within "
              + o.connectTimeout()
              + " ("
              + m
              + "): is nats-server running there, and is the URL right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerConnectException("interrupted while connecting to " + where, e);
    }
  }

  Connection nc() {
    return nc;
  }

  String name() {
    return name;
  }

  BrokerOptions options() {
    return options;
  }

  void addListener(ConnectionListener l) {
    listeners.add(l);
  }

  /** Runs on a jnats thread right after every reconnect: must not block. */
  void onReconnected(Runnable hook) {
    reconnectHooks.add(hook);
  }

  void watchPulls(PullWatcher w) {
    pullWatchers.add(w);
  }

  void unwatchPulls(PullWatcher w) {
    pullWatchers.remove(w);
  }

  boolean isClosed() {
    return nc.getStatus() == Connection.Status.CLOSED;
  }

  ConnectionState state() {
    return switch (nc.getStatus()) {
      case CONNECTED -> ConnectionState.CONNECTED;
      case CONNECTING, RECONNECTING -> ConnectionState.RECONNECTING;
      case DISCONNECTED -> ConnectionState.DISCONNECTED;
      case CLOSED -> ConnectionState.CLOSED;
    };
  }

  String serverVersion() {
    return nc.getServerInfo().getVersion();
  }

  long maxPayloadBytes() {
    return nc.getServerInfo().getMaxPayload();
  }

  /** Maps jnats's IllegalStateException for a closed or draining connection to ours. */
  BrokerException stateError(String what, IllegalStateException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Closed") || m.contains("closed") || m.contains("Draining")) {
      return new BrokerClosedException(
          "cannot " + what + ": the connection of broker " + name + " is " + m, e);
    }
    return new BrokerException("cannot " + what + ": " + m, e);
  }

  void close() {
    try {
      nc.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- events

  private void onNatsEvent(Connection conn, io.nats.client.ConnectionListener.Events type) {
    ConnectionEvent.Type t;
    switch (type) {
      case CONNECTED -> t = ConnectionEvent.Type.CONNECTED;
      case DISCONNECTED -> {
        disconnects.increment();
        t = ConnectionEvent.Type.DISCONNECTED;
      }
      case RECONNECTED -> {
        reconnects.increment();
        t = ConnectionEvent.Type.RECONNECTED;
        for (Runnable r : reconnectHooks) {
          r.run();
        }
      }
      case RESUBSCRIBED -> t = ConnectionEvent.Type.RESUBSCRIBED;
      case CLOSED -> t = ConnectionEvent.Type.CLOSED;
      case LAME_DUCK -> t = ConnectionEvent.Type.LAME_DUCK;
      default -> {
        return;
      }
    }
    emit(t, Optional.ofNullable(conn.getConnectedUrl()), type.toString());
  }

  void emit(ConnectionEvent.Type type, Optional<String> url, String detail) {
    ConnectionEvent ev =
        new ConnectionEvent(
            type, url.map(BrokerOptions::redact), BrokerOptions.redact(detail), Instant.now());
    for (ConnectionListener l : listeners) {
      try {
        l.onEvent(ev);
      } catch (RuntimeException e) {
        // A listener's bug must not break the connection's threads.
        listenerErrors.increment();
      }
    }
  }

  private final class Errors implements ErrorListener {
    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
      slowConsumerEvents.increment();
      emit(
          ConnectionEvent.Type.SLOW_CONSUMER,
          Optional.ofNullable(conn.getConnectedUrl()),
          "client dropped messages: " + consumer.getDroppedCount() + " so far on this consumer");
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
      emit(ConnectionEvent.Type.ERROR, Optional.ofNullable(conn.getConnectedUrl()), error);
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      emit(
          ConnectionEvent.Type.ERROR,
          Optional.ofNullable(conn.getConnectedUrl()),
          exp.getClass().getSimpleName() + ": " + exp.getMessage());
    }

    @Override
    public void heartbeatAlarm(
        Connection conn, JetStreamSubscription sub, long lastStreamSequence, long lastConsumerSeq) {
      pullTrouble(sub, "heartbeats stopped after stream sequence " + lastStreamSequence);
    }

    @Override
    public void pullStatusError(Connection conn, JetStreamSubscription sub, Status status) {
      pullTrouble(sub, "pull status " + status.getCode() + " " + status.getMessage());
    }

    private void pullTrouble(JetStreamSubscription sub, String what) {
      String durable;
      try {
        durable = sub.getConsumerName();
      } catch (RuntimeException e) {
        durable = null;
      }
      for (PullWatcher w : pullWatchers) {
        w.onPullTrouble(durable, what);
      }
    }
  }

  @Override
  public String toString() {
    return "NatsConnection[" + name + " " + BrokerOptions.redact(options.servers()) + "]";
  }
}
