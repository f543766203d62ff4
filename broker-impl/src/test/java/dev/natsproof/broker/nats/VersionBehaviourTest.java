package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.NatsServerBinary;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broker behaviour that depends on the server version, run against every version of the matrix
 * ({@code NATSPROOF_SERVER_VERSIONS}; the default server alone without it).
 */
class VersionBehaviourTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  static Stream<NatsServerBinary> versions() {
    return NatsServerBinary.matrix().stream();
  }

  @ParameterizedTest(name = "nats-server {0}")
  @MethodSource("versions")
  @DisplayName(
      "term(reason) is never redelivered; from 2.10.4 the reason reaches the server's advisory")
  void termWithReason(NatsServerBinary binary) throws Exception {
    try (NatsServer s = NatsServer.builder().binary(binary).start();
        NatsStreamBroker b = NatsStreamBroker.connect(BrokerOptions.of(s.clientUrl()));
        Connection watcher = Nats.connect(s.clientUrl())) {
      b.provision(GameStreams.settlement(1));
      List<String> advisories = new CopyOnWriteArrayList<>();
      watcher
          .createDispatcher(m -> advisories.add(new String(m.getData(), StandardCharsets.UTF_8)))
          .subscribe("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.>");
      watcher.flush(WAIT);
      List<Long> deliveries = new CopyOnWriteArrayList<>();
      StreamConsumer c =
          b.consume(
              "SETTLEMENT",
              m -> {
                deliveries.add(m.deliveryCount());
                m.term("reward table has no entry for item 77");
              },
              ConsumeOptions.builder().durable("terms").ackWait(Duration.ofSeconds(1)).build());
      assertTrue(b.enqueue("settle.item.77", "bad".getBytes()).isAcked());
      await().atMost(WAIT).until(() -> advisories.size() == 1);
      boolean reasons = b.serverFeatures().termWithReason();
      assertEquals(
          reasons,
          advisories.get(0).contains("reward table has no entry for item 77"),
          "reason in the advisory on " + binary.version() + ": " + advisories.get(0));
      // Three ack waits later it has still not come back: termed, on every version.
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> deliveries.size() == 1);
      assertEquals(1, c.termed());
    }
  }
}
