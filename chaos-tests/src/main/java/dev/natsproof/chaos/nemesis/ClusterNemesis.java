package dev.natsproof.chaos.nemesis;

import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Faults on a 3-node cluster: kill the stream leader, kill a minority, partition, rolling restart.
 */
public final class ClusterNemesis implements Nemesis {
  public enum Mode {
    KILL_STREAM_LEADER,
    KILL_MINORITY,
    /** kill -9 of two of the three nodes, the stream leader among them: no quorum until healed. */
    KILL_MAJORITY,
    /** kill -9 of every node at once: a rack losing power, as far as a process can tell. */
    KILL_ALL,
    PARTITION_LEADER,
    ROLLING_RESTART
  }

  private final NatsCluster cluster;
  private final NatsProxies.ProxiedCluster proxied;
  private final String stream;
  private final Mode mode;
  private final List<NatsServer> down = new ArrayList<>();
  private Consumer<String> steps = s -> {};

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
        steps.accept("kill " + id(leader) + " (stream leader)");
        leader.kill();
        down.add(leader);
      }
      case KILL_MINORITY -> {
        NatsServer leader = cluster.awaitStreamLeader(stream, Duration.ofSeconds(30));
        for (NatsServer n : cluster.nodes()) {
          if (n != leader) {
            steps.accept("kill " + id(n) + " (follower)");
            n.kill();
            down.add(n);
            break; // one of three is the minority
          }
        }
      }
      case KILL_MAJORITY -> {
        NatsServer leader = cluster.awaitStreamLeader(stream, Duration.ofSeconds(30));
        steps.accept("kill " + id(leader) + " (stream leader)");
        leader.kill();
        down.add(leader);
        for (NatsServer n : cluster.nodes()) {
          if (n != leader) {
            steps.accept("kill " + id(n) + " (follower: the majority is gone)");
            n.kill();
            down.add(n);
            break;
          }
        }
      }
      case KILL_ALL -> {
        for (NatsServer n : cluster.nodes()) {
          steps.accept("kill " + id(n));
          n.kill();
          down.add(n);
        }
      }
      case PARTITION_LEADER -> {
        NatsServer leader = cluster.awaitStreamLeader(stream, Duration.ofSeconds(30));
        steps.accept("partition " + id(leader) + " (stream leader)");
        proxied.partition(cluster.nodes().indexOf(leader));
      }
      case ROLLING_RESTART -> {
        // One node at a time, the way an operator does it: the next node goes down only when the
        // last one holds the stream again. Moving on as soon as there was a stream leader
        // restarted all three within ~4 s, each while the one before could still be catching up
        // (a state /healthz does not show on 2.9.10; see NatsCluster.awaitCaughtUp).
        for (NatsServer n : cluster.nodes()) {
          String role =
              cluster.streamLeader(stream).filter(n.name()::equals).isPresent()
                  ? " (stream leader)"
                  : "";
          steps.accept("stop " + id(n) + role);
          n.stop();
          n.start();
          steps.accept("started " + id(n));
          cluster.awaitMetaLeader(Duration.ofSeconds(60));
          NatsServer leader = cluster.awaitStreamLeader(stream, Duration.ofSeconds(60));
          steps.accept("stream leader " + id(leader));
          cluster.awaitCaughtUp(n, stream, Duration.ofSeconds(60));
          steps.accept("caught up " + n.name());
        }
      }
    }
  }

  /** A node as the history shows it: name and the client URL the writers' connections name. */
  private static String id(NatsServer n) {
    return n.name() + " " + n.clientUrl();
  }

  @Override
  public void onStep(Consumer<String> steps) {
    this.steps = steps;
  }

  /** Each node's own replica of the stream: a node that lost messages the others hold shows. */
  @Override
  public Map<String, Object> postMortem() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (NatsServer n : cluster.nodes()) {
      m.put(
          "replica " + n.name(),
          n.isRunning()
              ? NatsCluster.replicaState(n, stream).map(Object::toString).orElse("none")
              : "not running");
    }
    return m;
  }

  @Override
  public void heal() {
    switch (mode) {
      case KILL_STREAM_LEADER, KILL_MINORITY -> {
        for (NatsServer n : down) {
          n.start();
          steps.accept("started " + id(n));
        }
        down.clear();
      }
      case KILL_MAJORITY, KILL_ALL -> {
        for (NatsServer n : down) {
          n.start();
          steps.accept("started " + id(n));
        }
        down.clear();
        // Back only with a quorum: the run's load and checks need a cluster again.
        NatsServer meta = cluster.awaitMetaLeader(Duration.ofSeconds(60));
        steps.accept("meta leader " + meta.name());
        cluster
            .streamLeaderWithin(stream, Duration.ofSeconds(60))
            .ifPresentOrElse(
                l -> steps.accept("stream leader " + id(l)),
                () -> steps.accept("no stream leader within 60 s (stream " + stream + " gone?)"));
      }
      case PARTITION_LEADER -> proxied.heal();
      case ROLLING_RESTART -> {
        // each node came back during inject
      }
    }
  }
}
