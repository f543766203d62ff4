package dev.natsproof.broker.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.testkit.NatsCluster;
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
 * election. Two of three nodes are stopped, so the cluster has no meta leader until they return.
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
    return new StreamSpec(
        "ELECTION",
        List.of("election.>"),
        StreamSpec.Retention.LIMITS,
        1,
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
}
