package dev.natsproof.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NatsClusterTest {
  private static NatsCluster cluster;

  @BeforeAll
  static void start() {
    cluster = NatsCluster.start(3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Connection connect() throws Exception {
    return Nats.connect(
        Options.builder()
            .servers(cluster.clientUrls().toArray(String[]::new))
            .connectionTimeout(Duration.ofSeconds(2))
            .build());
  }

  @Test
  @DisplayName("three nodes with unique names and stores agree on one meta leader")
  void formsCluster() {
    assertEquals(3, cluster.nodes().size());
    Set<String> names = new HashSet<>();
    Set<String> stores = new HashSet<>();
    for (NatsServer n : cluster.nodes()) {
      names.add(n.name());
      stores.add(n.storeDir().toString());
    }
    assertEquals(3, names.size());
    assertEquals(3, stores.size());
    NatsServer leader = cluster.awaitMetaLeader(Duration.ofSeconds(10));
    assertTrue(cluster.nodes().contains(leader));
  }

  @Test
  @DisplayName("after the stream leader is killed an R3 stream elects a new leader and keeps data")
  void streamLeaderKilled() throws Exception {
    try (Connection nc = connect()) {
      nc.jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("R3")
                  .subjects("r3.>")
                  .replicas(3)
                  .storageType(StorageType.File)
                  .build());
      for (int i = 0; i < 10; i++) {
        nc.jetStream().publish("r3.x", ("m" + i).getBytes());
      }
    }
    NatsServer oldLeader = cluster.awaitStreamLeader("R3", Duration.ofSeconds(10));
    oldLeader.kill();
    try {
      NatsServer newLeader = cluster.awaitStreamLeader("R3", Duration.ofSeconds(30));
      assertNotEquals(oldLeader.name(), newLeader.name());
      try (Connection nc = connect()) {
        assertEquals(
            10, nc.jetStreamManagement().getStreamInfo("R3").getStreamState().getMsgCount());
      }
    } finally {
      oldLeader.start();
    }
  }

  @Test
  @DisplayName("after the meta leader is killed the cluster elects another")
  void metaLeaderKilled() {
    NatsServer leader = cluster.awaitMetaLeader(Duration.ofSeconds(10));
    leader.kill();
    try {
      NatsServer next = cluster.awaitMetaLeader(Duration.ofSeconds(30));
      assertNotEquals(leader.name(), next.name());
    } finally {
      leader.start();
    }
    cluster.awaitMetaLeader(Duration.ofSeconds(30));
  }

  @Test
  @DisplayName("a node that came back is caught up only once it holds what was written while down")
  void caughtUpMeansItHoldsTheStream() throws Exception {
    int n = 2000;
    byte[] payload = new byte[16 * 1024];
    try (Connection nc = connect()) {
      nc.jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("CATCHUP")
                  .subjects("catchup.>")
                  .replicas(3)
                  .storageType(StorageType.File)
                  .build());
      nc.jetStream().publish("catchup.x", payload);
      NatsServer leader = cluster.awaitStreamLeader("CATCHUP", Duration.ofSeconds(10));
      // A follower this connection is not on: the writes must not ride a reconnect.
      String ours = nc.getConnectedUrl();
      NatsServer follower =
          cluster.nodes().stream()
              .filter(x -> x != leader && !ours.endsWith(":" + x.port()))
              .findFirst()
              .orElseThrow();
      follower.stop();
      try {
        JetStream js = nc.jetStream();
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (int i = 1; i < n; i++) {
          acks.add(js.publishAsync("catchup.x", payload));
          if (acks.size() == 256 || i == n - 1) {
            for (CompletableFuture<PublishAck> f : acks) {
              f.get(30, TimeUnit.SECONDS);
            }
            acks.clear();
          }
        }
      } finally {
        follower.start();
      }
      cluster.awaitCaughtUp(follower, "CATCHUP", Duration.ofSeconds(60));
      NatsCluster.ReplicaState st = NatsCluster.replicaState(follower, "CATCHUP").orElseThrow();
      assertEquals(n, st.messages(), "messages the restarted node holds: " + st);
      assertEquals(n, st.lastSequence(), "last sequence on the restarted node: " + st);

      // Negative control: a frozen node answers nothing, and the wait says so instead of passing.
      follower.pause();
      try {
        IllegalStateException e =
            assertThrows(
                IllegalStateException.class,
                () -> cluster.awaitCaughtUp(follower, "CATCHUP", Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains(follower.name()), e.getMessage());
        assertTrue(e.getMessage().contains("no replica of CATCHUP"), e.getMessage());
      } finally {
        follower.resume();
      }
    }
  }
}
