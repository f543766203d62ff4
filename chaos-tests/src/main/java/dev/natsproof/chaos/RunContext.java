package dev.natsproof.chaos;

import dev.natsproof.broker.BrokerObserver;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.results.History;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * What a workload gets from the run: the history to record into, connected brokers (each closed by
 * the run), and the flag that ends the load.
 */
public final class RunContext {
  private final History history;

  private final Function<BrokerObserver, StreamBroker> brokers;
  private final BrokerObserver observer;
  private final List<StreamBroker> opened = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private StreamBroker admin;

  RunContext(History history, Function<BrokerObserver, StreamBroker> brokers) {
    this.history = history;
    this.brokers = brokers;
    // Every recovery a broker performs lands on the run's clock, beside the faults: a slow
    // recovery can then be read against what the broker did and when.
    this.observer =
        new BrokerObserver() {
          @Override
          public void intervened(String stream, String durable, String what, String why) {
            history.event(
                ChaosRun.BROKER,
                ChaosRun.INTERVENE,
                what,
                0,
                0,
                stream + "/" + durable + (why == null || why.isEmpty() ? "" : ": " + why));
          }
        };
  }

  public History history() {
    return history;
  }

  /** A new connected broker, closed when the run ends. */
  public synchronized StreamBroker broker() {
    StreamBroker b = brokers.apply(observer);
    opened.add(b);
    return b;
  }

  /** The run's own broker for provisioning and looking at the servers afterwards. */
  public synchronized StreamBroker admin() {
    if (admin == null) {
      admin = broker();
    }
    return admin;
  }

  /** Set once the load should end: every writer loop checks it. */
  public boolean stopped() {
    return stop.get();
  }

  void stop() {
    stop.set(true);
  }

  synchronized void closeAll() {
    for (StreamBroker b : opened) {
      try {
        b.close();
      } catch (RuntimeException e) {
        // a broker whose server is gone: nothing left to release
      }
    }
    opened.clear();
  }
}
