package dev.natsproof.chaos.nemesis;

import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Faults on a 3-node cluster: kill the stream leader, kill a minority, partition, rolling restart.
 */
public final class ClusterNemesis implements Nemesis {
  public enum Mode {
    KILL_STREAM_LEADER,
    KILL_MINORITY,
    PARTITION_LEADER,
    ROLLING_RESTART
  }

  private final NatsCluster cluster;
  private final NatsProxies.ProxiedCluster proxied;
  private final String stream;
  private final Mode mode;
  private final List<NatsServer> down = new ArrayList<>();

  public ClusterNemesis(NatsProxies.ProxiedCluster proxied, String stream, Mode mode) {
    this.proxied = proxied;
    this.cluster = proxied.cluster();
    this.stream = stream;
    this.mode = mode;
  }

  @Override
  public String name() {
    return mode.name().toLowerCase().replace('_', '-');
  }

  @Override
  public void inject() {
    switch (mode) {
      case KILL_STREAM_LEADER -> {
        NatsServer leader = cluster.awaitStreamLeader(stream, Duration.ofSeconds(30));
        leader.kill();
        down.add(leader);
      }
      case KILL_MINORITY -> {
        NatsServer leader = cluster.awaitStreamLeader(stream, Duration.ofSeconds(30));
        for (NatsServer n : cluster.nodes()) {
          if (n != leader) {
            n.kill();
            down.add(n);
            break; // one of three is the minority
          }
        }
      }
      case PARTITION_LEADER -> {
        NatsServer leader = cluster.awaitStreamLeader(stream, Duration.ofSeconds(30));
        proxied.partition(cluster.nodes().indexOf(leader));
      }
      case ROLLING_RESTART -> {
        for (NatsServer n : cluster.nodes()) {
          n.restart();
          cluster.awaitMetaLeader(Duration.ofSeconds(60));
          cluster.awaitStreamLeader(stream, Duration.ofSeconds(60));
        }
      }
    }
  }

  @Override
  public void heal() {
    switch (mode) {
      case KILL_STREAM_LEADER, KILL_MINORITY -> {
        for (NatsServer n : down) {
          n.start();
        }
        down.clear();
      }
      case PARTITION_LEADER -> proxied.heal();
      case ROLLING_RESTART -> {
        // each node came back during inject
      }
    }
  }
}
