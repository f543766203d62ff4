package dev.natsproof.chaos;

import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServer;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServers;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Network faults on the client links (writers and consumer all behind one proxy) and a pause longer
 * than the ack wait: every toxic in both directions, and a blackhole healed.
 */
class NetworkChaosIT {
  static final String SUITE = "network";
  static ToxiproxyServer toxiproxy;
  static ToxiproxyClient client;
  NatsServer server;
  Proxy proxy;

  @BeforeAll
  static void toxiproxy() {
    toxiproxy = ToxiproxyServers.start();
    client = new ToxiproxyClient(toxiproxy.host(), toxiproxy.port());
    System.out.println("CHAOS network faults through Toxiproxy: " + toxiproxy.kind());
  }

  @AfterAll
  static void stopToxiproxy() {
    toxiproxy.close();
  }

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
    proxy = NatsProxies.clientProxy(client, "chaos-client-" + server.port(), server);
  }

  @AfterEach
  void stop() throws IOException {
    proxy.delete();
    server.close();
  }

  ChaosRun.Outcome run(String name, String nemesis, int cycles, Duration during) {
    return ChaosSupport.run(
        SUITE,
        name,
        Target.behind(server, proxy),
        "queue",
        nemesis,
        Schedule.of(cycles, Duration.ofMillis(1500), during));
  }

  static Stream<String> toxics() {
    return Stream.of(
            "latency", "bandwidth", "timeout", "reset-peer", "limit-data", "slicer", "slow-close")
        .flatMap(t -> Stream.of(t + "-upstream", t + "-downstream"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("toxics")
  @DisplayName("a toxic on the client links: 0 lost, 0 unexpected")
  void toxic(String nemesis) {
    ChaosSupport.requirePass(run(nemesis, nemesis, 2, Duration.ofSeconds(2)));
  }

  @Test
  @DisplayName("blackhole (proxy disabled) then heal: 0 lost, 0 unexpected")
  void blackhole() {
    ChaosSupport.requirePass(run("blackhole", "blackhole", 2, Duration.ofSeconds(3)));
  }

  @Test
  @DisplayName("a pause longer than the ack wait: 0 lost, 0 unexpected")
  void pauseBeyondAckWait() {
    ChaosSupport.requirePass(run("pause-4s", "pause", 2, Duration.ofSeconds(4)));
  }
}
