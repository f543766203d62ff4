package dev.natsproof.chaos;

import dev.natsproof.chaos.nemesis.ClusterNemesis;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServer;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServers;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A real 3-node cluster, R3 stream, routes behind Toxiproxy: kill the stream leader, kill a
 * minority, partition the leader, rolling restart of all three. 0 lost; the stall after each fault
 * is measured (restart → first ack, → first delivery) and written to verdict.json.
 */
class ClusterChaosIT {
  static final String SUITE = "cluster";
  static final AtomicInteger STREAMS = new AtomicInteger();
  static ToxiproxyServer toxiproxy;
  static NatsProxies.ProxiedCluster cluster;

  @BeforeAll
  static void start() {
    toxiproxy = ToxiproxyServers.start();
    cluster =
        NatsProxies.cluster(
            new ToxiproxyClient(toxiproxy.host(), toxiproxy.port()), "chaos-mesh", 3, "", null);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    toxiproxy.close();
  }

  ChaosRun last;

  ChaosRun.Result run(String name, ClusterChaosIT.Mode mode, int cycles, Duration during) {
    // The runs share one cluster: each starts on a settled one, every node agreeing on a running
    // meta leader. Right after a partition heal the JetStream API can still time out, and the next
    // run's stream creation failed that way once in CI (a run that crashes before its quiet phase
    // judges nothing).
    cluster.cluster().awaitMetaLeader(Duration.ofSeconds(60));
    String stream = "CLQ" + STREAMS.incrementAndGet();
    var plan =
        ChaosSupport.plan(
            SUITE,
            name,
            ChaosSupport.queueStream(stream, 3),
            1,
            1,
            cycles,
            Duration.ofSeconds(2),
            during);
    last =
        new ChaosRun(
            plan,
            ChaosSupport.brokers(cluster.cluster().clientUrls(), false),
            mode == null ? null : new ClusterNemesis(cluster, stream, mode.nemesis),
            ChaosRun.defaultOut());
    return last.run();
  }

  enum Mode {
    KILL_LEADER(ClusterNemesis.Mode.KILL_STREAM_LEADER),
    KILL_MINORITY(ClusterNemesis.Mode.KILL_MINORITY),
    PARTITION(ClusterNemesis.Mode.PARTITION_LEADER),
    ROLLING(ClusterNemesis.Mode.ROLLING_RESTART);

    final ClusterNemesis.Mode nemesis;

    Mode(ClusterNemesis.Mode nemesis) {
      this.nemesis = nemesis;
    }
  }

  @Test
  @DisplayName("control: no faults on the cluster")
  void control() {
    ChaosSupport.requirePass(run("control", null, 0, Duration.ZERO));
  }

  @Test
  @DisplayName("kill -9 of the stream leader, twice: 0 lost")
  void killLeader() {
    ChaosSupport.requirePass(run("kill-stream-leader", Mode.KILL_LEADER, 2, Duration.ofSeconds(3)));
  }

  @Test
  @DisplayName("kill -9 of a minority (one follower), twice: 0 lost")
  void killMinority() {
    ChaosSupport.requirePass(run("kill-minority", Mode.KILL_MINORITY, 2, Duration.ofSeconds(3)));
  }

  @Test
  @DisplayName(
      "partition of the stream leader, twice: 0 lost, or only writes lost to a reused sequence")
  void partitionLeader() throws Exception {
    ChaosRun.Result r = run("partition-leader", Mode.PARTITION, 2, Duration.ofSeconds(5));
    ChaosSupport.requirePassOrSequenceReuse(r, last.history());
  }

  /**
   * A rolling restart stops the stream leader too. A clean-clone CI run lost 459 acked writes of
   * one writer here, the same shape (one writer, one contiguous run) as the partition finding: a
   * leader on its way out acking writes its successor never had. That is allowed only when every
   * lost write's sequence came back holding another value; any other loss fails, with the loss
   * analysis in the post-mortem.
   */
  @Test
  @DisplayName(
      "rolling restart of all three nodes: 0 lost, or only writes lost to a reused sequence")
  void rollingRestart() throws Exception {
    ChaosRun.Result r = run("rolling-restart", Mode.ROLLING, 1, Duration.ofSeconds(1));
    ChaosSupport.requirePassOrSequenceReuse(r, last.history());
  }
}
