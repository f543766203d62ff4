package dev.natsproof.broker.nats;

import dev.natsproof.testkit.NatsCluster;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Stream broker contract on a real 3-node cluster with R3 streams. */
class ClusterStreamBrokerTest extends StreamBrokerContract {
  static NatsCluster cluster;

  @BeforeAll
  static void start() {
    cluster = NatsCluster.start(3);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Override
  List<String> urls() {
    return cluster.clientUrls();
  }

  @Override
  int replicas() {
    return 3;
  }
}
