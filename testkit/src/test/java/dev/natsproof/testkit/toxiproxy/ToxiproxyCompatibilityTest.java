package dev.natsproof.testkit.toxiproxy;

import org.junit.jupiter.api.BeforeAll;

/** The compatibility kit against whichever server {@link ToxiproxyServers} picks here. */
class ToxiproxyCompatibilityTest extends ToxiproxyCompatibilityKit {
  @BeforeAll
  static void say() {
    try (ToxiproxyServer s = ToxiproxyServers.start()) {
      System.out.println(
          "Toxiproxy compatibility kit runs against: " + s.kind() + " at " + s.url());
    }
  }

  @Override
  ToxiproxyServer startServer() {
    return ToxiproxyServers.start();
  }
}
