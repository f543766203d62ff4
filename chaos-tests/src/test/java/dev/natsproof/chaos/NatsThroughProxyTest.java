package dev.natsproof.chaos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConnectionEvent;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.nats.NatsBroker;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServer;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServers;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** NATS clients and cluster routes behind Toxiproxy (in-JVM or real, whichever is present). */
class NatsThroughProxyTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static ToxiproxyServer toxiproxy;
  static ToxiproxyClient client;
  static NatsServer server;

  @BeforeAll
  static void start() {
    toxiproxy = ToxiproxyServers.start();
    client = new ToxiproxyClient(toxiproxy.host(), toxiproxy.port());
    server = NatsServer.startDefault();
    System.out.println("Toxiproxy behind these tests: " + toxiproxy.kind());
  }

  @AfterAll
  static void stop() {
    server.close();
    toxiproxy.close();
  }

  static BrokerOptions behind(Proxy p, List<ConnectionEvent.Type> events) {
    BrokerOptions.Builder b =
        BrokerOptions.builder().servers(NatsProxies.url(p)).ignoreDiscoveredServers(true);
    if (events != null) {
      b.connectionListener(e -> events.add(e.type()));
    }
    return b.build();
  }

  @Test
  @DisplayName("a Core subscription behind a proxy with latency receives every message")
  void coreBehindProxy() throws Exception {
    Proxy p = NatsProxies.clientProxy(client, "core-sub", server);
    try {
      p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 20);
      List<String> got = new CopyOnWriteArrayList<>();
      try (NatsBroker sub = NatsBroker.connect(behind(p, null));
          NatsBroker pub = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
        sub.subscribe("room.1.state", m -> got.add(m.dataAsString()));
        sub.flush(WAIT);
        for (int i = 0; i < 50; i++) {
          pub.publish("room.1.state", ("f" + i).getBytes());
        }
        await().atMost(WAIT).until(() -> got.size() == 50);
        assertEquals("f49", got.get(49));
      }
    } finally {
      p.delete();
    }
  }

  @Test
  @DisplayName("a JetStream consumer behind a proxy with latency consumes everything")
  void jetStreamBehindProxy() throws Exception {
    Proxy p = NatsProxies.clientProxy(client, "js-consumer", server);
    try {
      p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 20).setJitter(10);
      Set<String> got = ConcurrentHashMap.newKeySet();
      try (NatsStreamBroker consumer = NatsStreamBroker.connect(behind(p, null));
          NatsStreamBroker producer =
              NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()))) {
        producer.provision(GameStreams.settlement(1));
        consumer.consume(
            "SETTLEMENT",
            m -> {
              got.add(m.dataAsString());
              m.ack();
            },
            ConsumeOptions.builder().durable("proxied").build());
        for (int i = 0; i < 100; i++) {
          assertTrue(producer.enqueue("settle.battle.p" + i, ("b" + i).getBytes()).isAcked());
        }
        await().atMost(WAIT).until(() -> got.size() == 100);
      }
    } finally {
      p.delete();
    }
  }

  @Test
  @DisplayName("disabling the proxy disconnects the client; enabling it lets it reconnect")
  void blackholeAndHeal() throws Exception {
    Proxy p = NatsProxies.clientProxy(client, "blackhole", server);
    try {
      List<ConnectionEvent.Type> events = new CopyOnWriteArrayList<>();
      List<String> got = new CopyOnWriteArrayList<>();
      try (NatsBroker sub = NatsBroker.connect(behind(p, events));
          NatsBroker pub = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
        sub.subscribe("cmd.x", m -> got.add(m.dataAsString()));
        sub.flush(WAIT);
        p.disable();
        await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.Type.DISCONNECTED));
        p.enable();
        await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.Type.RECONNECTED));
        sub.flush(WAIT);
        pub.publish("cmd.x", "after heal".getBytes());
        await().atMost(WAIT).until(() -> got.contains("after heal"));
      }
    } finally {
      p.delete();
    }
  }

  @Test
  @DisplayName("a partitioned node loses its routes through the route proxies and regains them")
  void partitionOneNode() throws Exception {
    try (NatsProxies.ProxiedCluster pc = NatsProxies.cluster(client, "mesh", 3, "", null)) {
      await().atMost(WAIT).until(() -> peers(pc.cluster().node(2)) == 2);
      pc.partition(2);
      await().atMost(WAIT).until(() -> peers(pc.cluster().node(2)) == 0);
      assertEquals(1, peers(pc.cluster().node(0)), "nodes 1 and 2 still see each other");
      pc.heal();
      await().atMost(WAIT).until(() -> peers(pc.cluster().node(2)) == 2);
    }
  }

  /**
   * The peers a node has routes to. Not {@code num_routes}: from 2.10 a node keeps a pool of route
   * connections per peer (3 by default), so the total counts connections, not peers.
   */
  static int peers(NatsServer n) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(n.monitorUrl() + "/routez")).build(),
                HttpResponse.BodyHandlers.ofString());
    Set<String> ids = new java.util.HashSet<>();
    for (var route : JSON.readTree(r.body()).path("routes")) {
      ids.add(route.path("remote_id").asText());
    }
    return ids.size();
  }

  static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
}
