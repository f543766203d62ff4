package dev.natsproof.testkit.toxiproxy;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.BeforeAll;

/**
 * The kit against the in-JVM server too, when another one was picked above (a real server is
 * present): both must behave the same. Skipped when the in-JVM server is what was picked anyway.
 */
class InJvmToxiproxyCompatibilityTest extends ToxiproxyCompatibilityKit {
  @BeforeAll
  static void onlyIfAnotherServerIsPresent() {
    try (ToxiproxyServer s = ToxiproxyServers.start()) {
      assumeFalse(s.kind().equals("in-jvm"), "the in-JVM server already ran the kit");
    }
  }

  @Override
  ToxiproxyServer startServer() {
    return InJvmToxiproxy.start();
  }
}
