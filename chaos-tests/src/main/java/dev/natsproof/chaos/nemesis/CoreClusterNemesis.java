package dev.natsproof.chaos.nemesis;

import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Faults on a 3-node cluster carrying Core traffic, aimed at the node a gateway is connected to:
 * kill -9 of that node (restarted at heal), a partition of it (its routes cut, its clients still
 * connected), or a rolling restart of every node (SIGTERM, start, healthy again, next).
 */
public final class CoreClusterNemesis implements Nemesis {
  public enum Mode {
    KILL_GATEWAY_NODE,
    PARTITION_GATEWAY_NODE,
    ROLLING_RESTART
  }

  private final NatsProxies.ProxiedCluster proxied;
  private final NatsCluster cluster;
  private final int node;
  private final Mode mode;
  private Consumer<String> steps = s -> {};

  /**
   * @param node the index of the node the targeted gateway is connected to
   */
  public CoreClusterNemesis(NatsProxies.ProxiedCluster proxied, int node, Mode mode) {
    this.proxied = proxied;
    this.cluster = proxied.cluster();
    this.node = node;
    this.mode = mode;
  }

  @Override
  public String name() {
    return switch (mode) {
      case KILL_GATEWAY_NODE -> "kill-9-gateway-node";
      case PARTITION_GATEWAY_NODE -> "partition-gateway-node";
      case ROLLING_RESTART -> "rolling-restart";
    };
  }

  @Override
  public void inject() {
    NatsServer n = cluster.node(node);
    switch (mode) {
      case KILL_GATEWAY_NODE -> {
        steps.accept("kill " + n.name() + " " + n.clientUrl());
        n.kill();
      }
      case PARTITION_GATEWAY_NODE -> {
        steps.accept("partition " + n.name() + " " + n.clientUrl());
        proxied.partition(node);
      }
      case ROLLING_RESTART -> {
        for (NatsServer each : cluster.nodes()) {
          steps.accept("stop " + each.name() + " " + each.clientUrl());
          each.stop();
          each.start();
          cluster.awaitHealthy(each, Duration.ofSeconds(60));
          steps.accept("healthy " + each.name());
        }
      }
    }
  }

  @Override
  public void heal() {
    switch (mode) {
      case KILL_GATEWAY_NODE -> {
        NatsServer n = cluster.node(node);
        n.start();
        steps.accept("started " + n.name());
      }
      case PARTITION_GATEWAY_NODE -> {
        proxied.heal();
        steps.accept("routes back");
      }
      case ROLLING_RESTART -> {
        // every node came back inside the fault
      }
    }
  }

  @Override
  public void onStep(Consumer<String> steps) {
    this.steps = steps;
  }

  @Override
  public String limits() {
    return mode == Mode.PARTITION_GATEWAY_NODE
        ? "a client connected to a partitioned node stays connected to it: NATS Core clients"
            + " cannot see a route partition, so its rooms freeze for the partition's length"
        : "";
  }
}
