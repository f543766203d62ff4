package dev.natsproof.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
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
}
