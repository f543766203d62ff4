package dev.natsproof.broker.nats;

import dev.natsproof.testkit.NatsServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Stream broker contract on one real nats-server. */
class SingleNodeStreamBrokerTest extends StreamBrokerContract {
  static NatsServer server;

  @BeforeAll
  static void start() {
    server = NatsServer.startDefault();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Override
  List<String> urls() {
    return List.of(server.clientUrl());
  }

  @Override
  int replicas() {
    return 1;
  }
}
