package dev.natsproof.testkit.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a real nats-server (or a 3-node cluster) for a test class and injects it into test and
 * lifecycle methods: parameters of type {@link dev.natsproof.testkit.NatsServer}, {@link
 * dev.natsproof.testkit.NatsCluster}, {@link
 * dev.natsproof.testkit.toxiproxy.NatsProxies.ProxiedCluster} (with {@code proxied = true}) or
 * {@link NatsFaults}. The servers listen on loopback, get a fresh store, and are stopped after the
 * class.
 *
 * <pre>
 * &#64;WithNatsServer(version = "2.10.27")
 * class SettlementTest {
 *   &#64;Test
 *   void survivesACrash(NatsServer server, NatsFaults faults) {
 *     try (var broker = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()), 64)) {
 *       ...
 *       faults.kill(0);
 *       faults.start(0);
 *       ...
 *     }
 *   }
 * }
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(NatsServerExtension.class)
public @interface WithNatsServer {
  /**
   * The server: a version or Debian suite from the server cache ({@code ./natsproof servers get}),
   * or a path to a binary; empty for the default ({@code NATS_SERVER_PATH}, the cache, the PATH).
   */
  String version() default "";

  /** 1 for a single server, 3 (or more) for a cluster with JetStream on every node. */
  int nodes() default 1;

  /**
   * A cluster whose routes go through Toxiproxy, so {@link NatsFaults#partition} can cut a node.
   */
  boolean proxied() default false;

  /** Extra lines for every node's config file. */
  String config() default "";
}
