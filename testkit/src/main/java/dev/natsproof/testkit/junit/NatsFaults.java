package dev.natsproof.testkit.junit;

import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import java.util.List;

/**
 * The faults a test can cause on the servers of a {@link WithNatsServer} class, by node index (0
 * for a single server). Each returns once it has happened: a killed process is reaped, a started
 * one accepts clients, a paused one is stopped in every thread.
 */
public final class NatsFaults {
  private final List<NatsServer> nodes;
  private final NatsProxies.ProxiedCluster proxied;

  NatsFaults(List<NatsServer> nodes, NatsProxies.ProxiedCluster proxied) {
    this.nodes = nodes;
    this.proxied = proxied;
  }

  public NatsServer node(int i) {
    if (i < 0 || i >= nodes.size()) {
      throw new IllegalArgumentException(
          "no node "
              + i
              + ": the class has "
              + nodes.size()
              + " (indexes 0.."
              + (nodes.size() - 1)
              + ")");
    }
    return nodes.get(i);
  }

  /** kill -9. */
  public void kill(int i) {
    node(i).kill();
  }

  /** SIGTERM, waiting for the exit. */
  public void stop(int i) {
    node(i).stop();
  }

  /** Starts a stopped or killed node again on its port, config and store. */
  public void start(int i) {
    node(i).start();
  }

  /** SIGSTOP: the process keeps its sockets and answers nothing. */
  public void pause(int i) {
    node(i).pause();
  }

  /** SIGCONT. */
  public void resume(int i) {
    node(i).resume();
  }

  /** Cuts every route to and from node {@code i}; its own clients stay connected to it. */
  public void partition(int i) {
    requireProxied().partition(i);
  }

  /** Re-opens every route. */
  public void heal() {
    requireProxied().heal();
  }

  private NatsProxies.ProxiedCluster requireProxied() {
    if (proxied == null) {
      throw new IllegalStateException(
          "partitions need a cluster with its routes behind Toxiproxy:"
              + " @WithNatsServer(nodes = 3, proxied = true)");
    }
    return proxied;
  }
}
