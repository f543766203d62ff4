package dev.natsproof.chaos;

import dev.natsproof.chaos.nemesis.Nemesis;
import dev.natsproof.chaos.nemesis.ProcessNemesis;
import dev.natsproof.chaos.nemesis.ToxicNemesis;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServer;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServers;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
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

  ChaosRun.Result run(String name, Nemesis nemesis, int cycles, Duration during) {
    var plan =
        ChaosSupport.plan(
            SUITE,
            name,
            ChaosSupport.queueStream("NETQ", 1),
            1,
            1,
            cycles,
            Duration.ofMillis(1500),
            during);
    return new ChaosRun(
            plan,
            ChaosSupport.brokers(List.of(NatsProxies.url(proxy)), true),
            nemesis,
            ChaosRun.defaultOut())
        .run();
  }

  static Stream<Arguments> toxics() {
    return Stream.of(
            Arguments.of("latency", 100L),
            Arguments.of("bandwidth", 50L),
            Arguments.of("timeout", 0L),
            Arguments.of("reset_peer", 0L),
            Arguments.of("limit_data", 200_000L),
            Arguments.of("slicer", 64L),
            Arguments.of("slow_close", 500L))
        .flatMap(
            a ->
                Stream.of(ToxicDirection.UPSTREAM, ToxicDirection.DOWNSTREAM)
                    .map(d -> Arguments.of(a.get()[0], d, a.get()[1])));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("toxics")
  @DisplayName("a toxic on the client links: 0 lost, 0 unexpected")
  void toxic(String type, ToxicDirection direction, long value) {
    ChaosSupport.requirePass(
        run(
            type + "-" + direction.name().toLowerCase(),
            new ToxicNemesis(proxy, type, direction, value),
            2,
            Duration.ofSeconds(2)));
  }

  @Test
  @DisplayName("blackhole (proxy disabled) then heal: 0 lost, 0 unexpected")
  void blackhole() {
    ChaosSupport.requirePass(
        run(
            "blackhole",
            new ToxicNemesis(proxy, "blackhole", ToxicDirection.DOWNSTREAM, 0),
            2,
            Duration.ofSeconds(3)));
  }

  @Test
  @DisplayName("a pause longer than the ack wait: 0 lost, 0 unexpected")
  void pauseBeyondAckWait() {
    ChaosSupport.requirePass(
        run(
            "pause-4s",
            new ProcessNemesis(server, ProcessNemesis.Mode.PAUSE),
            2,
            Duration.ofSeconds(4)));
  }
}
