package dev.natsproof.testkit.toxiproxy;

import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Toxiproxy in front of NATS: a proxy for a client link, and a full mesh of route proxies for a
 * cluster so one node can be partitioned (nodes advertise nothing, so every route stays behind its
 * proxy). Clients behind a proxy must ignore discovered servers, or a reconnect would bypass it.
 */
public final class NatsProxies {
  private NatsProxies() {}

  /** A proxy from a free loopback port to {@code server}'s client port. */
  public static Proxy clientProxy(ToxiproxyClient client, String name, NatsServer server) {
    try {
      return client.createProxy(name, "127.0.0.1:0", "127.0.0.1:" + server.port());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create proxy " + name + " for " + server, e);
    }
  }

  /** The client URL of a proxy. */
  public static String url(Proxy p) {
    return "nats://" + p.getListen();
  }

  /** A cluster whose every route (node i dialling node j) goes through its own proxy. */
  public static final class ProxiedCluster implements AutoCloseable {
    private final NatsCluster cluster;
    private final Map<String, Proxy> routes;

    private ProxiedCluster(NatsCluster cluster, Map<String, Proxy> routes) {
      this.cluster = cluster;
      this.routes = routes;
    }

    public NatsCluster cluster() {
      return cluster;
    }

    /** Cuts every route to and from node {@code index}; the node keeps serving its clients. */
    public void partition(int index) {
      for (Map.Entry<String, Proxy> e : routes.entrySet()) {
        String[] ft = e.getKey().split("-");
        if (Integer.parseInt(ft[0]) == index || Integer.parseInt(ft[1]) == index) {
          try {
            e.getValue().disable();
          } catch (IOException ex) {
            throw new UncheckedIOException("cannot disable route proxy " + e.getKey(), ex);
          }
        }
      }
    }

    /** Re-enables every route proxy. */
    public void heal() {
      for (Map.Entry<String, Proxy> e : routes.entrySet()) {
        try {
          e.getValue().enable();
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot enable route proxy " + e.getKey(), ex);
        }
      }
    }

    public List<Proxy> routeProxies() {
      return new ArrayList<>(routes.values());
    }

    @Override
    public void close() {
      cluster.close();
      for (Proxy p : routes.values()) {
        try {
          p.delete();
        } catch (IOException e) {
          // the Toxiproxy server may be gone already
        }
      }
    }
  }

  /** Starts {@code size} nodes with a route proxy for each ordered pair of nodes. */
  public static ProxiedCluster cluster(
      ToxiproxyClient client, String namePrefix, int size, String extraConfig, Path workDir) {
    return cluster(client, namePrefix, size, extraConfig, workDir, null);
  }

  /** As above, every node on {@code binary} (null: the default binary). */
  public static ProxiedCluster cluster(
      ToxiproxyClient client,
      String namePrefix,
      int size,
      String extraConfig,
      Path workDir,
      dev.natsproof.testkit.NatsServerBinary binary) {
    Map<String, Proxy> routes = new ConcurrentHashMap<>();
    NatsCluster c =
        NatsCluster.start(
            size,
            extraConfig,
            workDir,
            (from, to, port) -> {
              try {
                Proxy p =
                    client.createProxy(
                        namePrefix + "-route-" + from + "-" + to,
                        "127.0.0.1:0",
                        "127.0.0.1:" + port);
                routes.put(from + "-" + to, p);
                String listen = p.getListen();
                return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
              } catch (IOException e) {
                throw new UncheckedIOException("cannot create route proxy " + from + "->" + to, e);
              }
            },
            binary);
    return new ProxiedCluster(c, routes);
  }
}
