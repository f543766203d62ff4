package dev.natsproof.chaos;

import dev.natsproof.broker.BrokerObserver;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import eu.rekawek.toxiproxy.Proxy;
import java.util.List;
import java.util.function.Function;

/**
 * What a run's clients connect to and its nemesis acts on: one server (optionally behind a client
 * proxy), or a 3-node cluster with its routes behind proxies.
 *
 * @param server the single server, or null
 * @param clientProxy a Toxiproxy proxy in front of {@code server} the clients use, or null
 * @param cluster the cluster, or null
 */
public record Target(NatsServer server, Proxy clientProxy, NatsProxies.ProxiedCluster cluster) {
  public static Target of(NatsServer server) {
    return new Target(server, null, null);
  }

  public static Target behind(NatsServer server, Proxy proxy) {
    return new Target(server, proxy, null);
  }

  public static Target of(NatsProxies.ProxiedCluster cluster) {
    return new Target(null, null, cluster);
  }

  /** The stream replicas this target holds: 3 on a cluster. */
  public int replicas() {
    return cluster != null ? 3 : 1;
  }

  public List<String> urls() {
    if (cluster != null) {
      return cluster.cluster().clientUrls();
    }
    return List.of(clientProxy != null ? NatsProxies.url(clientProxy) : server.clientUrl());
  }

  /**
   * A connected broker per call, reporting to the observer; behind a proxy it stays on the proxy's
   * address.
   */
  public Function<BrokerObserver, StreamBroker> brokers() {
    List<String> urls = urls();
    boolean ignore = clientProxy != null;
    return observer ->
        NatsStreamBroker.connect(
            BrokerOptions.builder()
                .servers(urls)
                .ignoreDiscoveredServers(ignore)
                .observer(observer)
                .build(),
            256);
  }
}
