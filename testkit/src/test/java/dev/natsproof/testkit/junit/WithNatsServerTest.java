package dev.natsproof.testkit.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The extension as a user's test would use it: real servers injected, faults that happen. */
class WithNatsServerTest {
  static Connection connect(String url) throws Exception {
    return Nats.connect(
        Options.builder()
            .server(url)
            .connectionTimeout(Duration.ofSeconds(5))
            .maxReconnects(0)
            .build());
  }

  @Nested
  @WithNatsServer
  @DisplayName("one server")
  class Single {
    @Test
    @DisplayName("a real server is injected, and a kill and a start happen")
    void injectedAndFaults(NatsServer server, NatsFaults faults) throws Exception {
      try (Connection nc = connect(server.clientUrl())) {
        assertTrue(nc.getServerInfo().isJetStreamAvailable());
      }
      assertSame(server, faults.node(0));
      faults.kill(0);
      assertFalse(server.isRunning());
      faults.start(0);
      try (Connection nc = connect(server.clientUrl())) {
        assertEquals(server.version(), nc.getServerInfo().getVersion());
      }
      assertThrows(IllegalArgumentException.class, () -> faults.node(1), "only node 0 exists");
      assertThrows(IllegalStateException.class, () -> faults.partition(0), "not proxied");
    }
  }

  @Nested
  @WithNatsServer(nodes = 3, proxied = true)
  @DisplayName("a proxied 3-node cluster")
  class Cluster {
    @Test
    @DisplayName("a partitioned node keeps its clients but no longer sees the others' messages")
    void partition(NatsCluster cluster, NatsFaults faults) throws Exception {
      try (Connection a = connect(cluster.node(0).clientUrl());
          Connection b = connect(cluster.node(2).clientUrl())) {
        var sub = b.subscribe("hello");
        b.flush(Duration.ofSeconds(5));
        // Interest reaches node 0 over the route some time after node 2 has it: publish until a
        // message arrives (bounded), which is the route working.
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  a.publish("hello", new byte[] {1});
                  return sub.nextMessage(Duration.ofMillis(200)) != null;
                });
        while (sub.nextMessage(Duration.ofMillis(100)) != null) {
          // drop the extra copies sent while interest was arriving
        }
        faults.partition(2);
        a.publish("hello", new byte[] {2});
        a.flush(Duration.ofSeconds(5));
        assertEquals(null, sub.nextMessage(Duration.ofMillis(1500)), "nothing crosses a partition");
        faults.heal();
      }
    }
  }
}
