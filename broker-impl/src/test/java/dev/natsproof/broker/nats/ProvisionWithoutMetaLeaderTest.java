package dev.natsproof.broker.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.ServerBuilds;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A game server provisions its streams at start-up, which may fall in a cluster's meta-leader
 * election (two of three nodes stopped: no meta leader until they return), or in a node's restart
 * (one node stopped: a meta leader, but too few live peers for three replicas).
 */
class ProvisionWithoutMetaLeaderTest {
  NatsCluster cluster;
  NatsStreamBroker broker;

  @BeforeEach
  void start() {
    cluster = NatsCluster.start(3);
    cluster.awaitMetaLeader(Duration.ofSeconds(60));
    // Only the node that stays up, so the broker's connection never moves.
    broker =
        NatsStreamBroker.connect(
            BrokerOptions.builder()
                .servers(List.of(cluster.node(0).clientUrl()))
                .ignoreDiscoveredServers(true)
                .build());
  }

  @AfterEach
  void stop() {
    broker.close();
    cluster.close();
  }

  static StreamSpec spec() {
    return spec("ELECTION", 1);
  }

  static StreamSpec spec(String name, int replicas) {
    return new StreamSpec(
        name,
        List.of(name.toLowerCase(java.util.Locale.ROOT) + ".>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  @Test
  @DisplayName(
      "provision keeps asking while there is no meta leader: it fails at its deadline, naming it,"
          + " and succeeds once a leader is back")
  void waitsOutAnElection() throws Exception {
    cluster.node(1).stop();
    cluster.node(2).stop();

    var e =
        assertThrows(BrokerException.class, () -> broker.provision(spec(), Duration.ofSeconds(3)));
    Matcher attempts = Pattern.compile("(\\d+) attempts").matcher(e.getMessage());
    assertTrue(attempts.find(), e.getMessage());
    assertTrue(Integer.parseInt(attempts.group(1)) >= 2, "asked again: " + e.getMessage());
    assertTrue(e.getMessage().contains("ELECTION"), e.getMessage());

    // Started while there is no leader, so its first attempts go unanswered.
    CompletableFuture<Void> provisioned =
        CompletableFuture.runAsync(() -> broker.provision(spec(), Duration.ofSeconds(90)));
    cluster.node(1).start();
    cluster.node(2).start();
    provisioned.get(120, TimeUnit.SECONDS);
    assertEquals(
        "ELECTION",
        broker
            .connection()
            .jetStreamManagement()
            .getStreamInfo("ELECTION")
            .getConfiguration()
            .getName());
  }

  @Test
  @DisplayName(
      "provision keeps asking while the meta leader knows too few live peers for R3 (10005, as"
          + " right after a cluster forms): it fails at its deadline naming the error, and"
          + " succeeds once the peer is back")
  void waitsForPeers() throws Exception {
    cluster.node(2).stop();
    // The meta leader must know the peer is gone before the refusal can be expected.
    String gone = cluster.node(2).name();
    org.awaitility.Awaitility.await("meta leader sees " + gone + " offline")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                cluster
                    .metaLeader()
                    .flatMap(l -> NatsCluster.monitor(cluster.node(l), "/jsz"))
                    .map(
                        m ->
                            Pattern.compile(
                                    "\"name\"\\s*:\\s*\""
                                        + gone
                                        + "\"[^}]*\"offline\"\\s*:\\s*true")
                                .matcher(m.body())
                                .find())
                    .orElse(false));
    String version = cluster.node(0).version();
    BrokerException e = null;
    try {
      broker.provision(spec("PLACED", 3), Duration.ofSeconds(2));
    } catch (BrokerException refused) {
      e = refused;
    }
    if (e == null) {
      // 2.15.1 places an R3 stream on a peer that is down; 2.9.10 and 2.10.27 refuse (10005).
      assertTrue(
          ServerBuilds.compareVersions(version, "2.10.27") > 0,
          "nats-server " + version + " was expected to refuse R3 placement with a peer down");
      cluster.node(2).start();
      return;
    }
    assertTrue(e.getMessage().contains("10005"), e.getMessage());
    Matcher attempts = Pattern.compile("after (\\d+) attempts").matcher(e.getMessage());
    assertTrue(attempts.find(), "asked again: " + e.getMessage());

    CompletableFuture<Void> provisioned =
        CompletableFuture.runAsync(
            () -> broker.provision(spec("PLACED", 3), Duration.ofSeconds(90)));
    cluster.node(2).start();
    provisioned.get(120, TimeUnit.SECONDS);
    assertEquals(
        3,
        broker
            .connection()
            .jetStreamManagement()
            .getStreamInfo("PLACED")
            .getConfiguration()
            .getReplicas());
  }
}
