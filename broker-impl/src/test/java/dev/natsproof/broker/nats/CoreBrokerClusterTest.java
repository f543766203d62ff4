package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.Message;
import dev.natsproof.testkit.NatsCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Core broker through a real 3-node cluster: publisher and subscriber on different nodes. */
class CoreBrokerClusterTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static NatsCluster cluster;

  @BeforeAll
  static void start() {
    cluster = NatsCluster.start(3);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  @DisplayName("a message published on node 1 reaches a subscriber on node 3, in order")
  void acrossNodes() {
    List<String> got = new CopyOnWriteArrayList<>();
    try (NatsBroker sub = NatsBroker.connect(BrokerOptions.of(cluster.node(2).clientUrl()));
        NatsBroker pub = NatsBroker.connect(BrokerOptions.of(cluster.node(0).clientUrl()))) {
      sub.subscribe("room.7.state", m -> got.add(m.dataAsString()));
      sub.flush(WAIT);
      // Interest propagates over the routes asynchronously: a request/reply round trip through
      // the same route proves the subscription is known on node 1.
      sub.subscribe("probe", m -> sub.reply(m, new byte[0]));
      sub.flush(WAIT);
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(() -> pub.request("probe", new byte[0], Duration.ofMillis(500)) != null);
      for (int i = 0; i < 50; i++) {
        pub.publish("room.7.state", ("f" + i).getBytes());
      }
      await().atMost(WAIT).until(() -> got.size() == 50);
      for (int i = 0; i < 50; i++) {
        assertEquals("f" + i, got.get(i));
      }
    }
  }

  @Test
  @DisplayName("a request from node 1 is answered by a responder on node 2")
  void requestAcrossNodes() {
    try (NatsBroker service = NatsBroker.connect(BrokerOptions.of(cluster.node(1).clientUrl()));
        NatsBroker client =
            NatsBroker.connect(BrokerOptions.builder().servers(cluster.clientUrls()).build())) {
      service.subscribe("cmd.attack", m -> service.reply(m, "hit".getBytes()));
      service.flush(WAIT);
      Message r =
          await()
              .atMost(WAIT)
              .ignoreExceptions()
              .until(
                  () -> client.request("cmd.attack", new byte[0], Duration.ofMillis(500)),
                  m -> m != null);
      assertEquals("hit", r.dataAsString());
    }
  }
}
