package dev.natsproof.testkit.junit;

import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.NatsServerBinary;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServer;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServers;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/** The extension behind {@link WithNatsServer}: one set of servers per test class. */
public final class NatsServerExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(NatsServerExtension.class);

  /** What one class started; JUnit closes it after the class. */
  static final class Servers implements ExtensionContext.Store.CloseableResource {
    final NatsServer server;
    final NatsCluster cluster;
    final NatsProxies.ProxiedCluster proxied;
    final ToxiproxyServer toxiproxy;
    final NatsFaults faults;

    Servers(
        NatsServer server,
        NatsCluster cluster,
        NatsProxies.ProxiedCluster proxied,
        ToxiproxyServer toxiproxy) {
      this.server = server;
      this.cluster = cluster;
      this.proxied = proxied;
      this.toxiproxy = toxiproxy;
      this.faults = new NatsFaults(cluster != null ? cluster.nodes() : List.of(server), proxied);
    }

    @Override
    public void close() {
      if (proxied != null) {
        proxied.close();
      } else if (cluster != null) {
        cluster.close();
      }
      if (server != null) {
        server.close();
      }
      if (toxiproxy != null) {
        toxiproxy.close();
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    WithNatsServer cfg = context.getRequiredTestClass().getAnnotation(WithNatsServer.class);
    if (cfg == null) {
      throw new ExtensionConfigurationException(
          "NatsServerExtension needs @WithNatsServer on " + context.getRequiredTestClass());
    }
    if (cfg.nodes() < 1 || cfg.nodes() > 5) {
      throw new ExtensionConfigurationException(
          "@WithNatsServer(nodes = " + cfg.nodes() + "): give 1 to 5 nodes");
    }
    if (cfg.proxied() && cfg.nodes() < 2) {
      throw new ExtensionConfigurationException(
          "@WithNatsServer(proxied = true) proxies a cluster's routes: give nodes = 3");
    }
    NatsServerBinary binary =
        cfg.version().isBlank()
            ? NatsServerBinary.locate()
            : NatsServerBinary.forVersion(cfg.version());
    Servers s;
    if (cfg.nodes() == 1) {
      s =
          new Servers(
              NatsServer.builder().binary(binary).config(cfg.config()).start(), null, null, null);
    } else if (cfg.proxied()) {
      ToxiproxyServer tp = ToxiproxyServers.start();
      try {
        NatsProxies.ProxiedCluster pc =
            NatsProxies.cluster(
                new ToxiproxyClient(tp.host(), tp.port()),
                "junit-" + context.getRequiredTestClass().getSimpleName(),
                cfg.nodes(),
                cfg.config(),
                null,
                binary);
        s = new Servers(null, pc.cluster(), pc, tp);
      } catch (RuntimeException e) {
        tp.close();
        throw e;
      }
    } else {
      s =
          new Servers(
              null, NatsCluster.start(cfg.nodes(), cfg.config(), null, null, binary), null, null);
    }
    context.getStore(NS).put(Servers.class, s);
  }

  private static Servers servers(ExtensionContext context) {
    Servers s = context.getStore(NS).get(Servers.class, Servers.class);
    if (s == null) {
      throw new ParameterResolutionException(
          "no servers started: is the class annotated @WithNatsServer?");
    }
    return s;
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    Class<?> t = p.getParameter().getType();
    return t == NatsServer.class
        || t == NatsCluster.class
        || t == NatsProxies.ProxiedCluster.class
        || t == NatsFaults.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    Servers s = servers(e);
    Class<?> t = p.getParameter().getType();
    if (t == NatsFaults.class) {
      return s.faults;
    }
    if (t == NatsServer.class) {
      if (s.server != null) {
        return s.server;
      }
      return s.cluster.node(0);
    }
    if (t == NatsCluster.class) {
      if (s.cluster == null) {
        throw new ParameterResolutionException(
            "a NatsCluster parameter needs @WithNatsServer(nodes = 3)");
      }
      return s.cluster;
    }
    if (s.proxied == null) {
      throw new ParameterResolutionException(
          "a ProxiedCluster parameter needs @WithNatsServer(nodes = 3, proxied = true)");
    }
    return s.proxied;
  }
}
