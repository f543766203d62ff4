package dev.natsproof.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.ServerVersion;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * natsproof refuses to start a version on a JetStream store it cannot read (a downgrade from 2.10+
 * to a 2.9 before 2.9.22) instead of leaving a damaged node, and lets every upgrade through.
 */
class StoreGuardTest {
  static Optional<String> rule(String writtenBy, String opener) {
    return StoreCompatibility.refusal(ServerVersion.parse(writtenBy), ServerVersion.parse(opener));
  }

  @Test
  @DisplayName("the rule: 2.10+ stores are refused to 2.9 before 2.9.22, nothing else is")
  void rule() {
    assertTrue(rule("2.10.27", "2.9.10").isPresent());
    assertTrue(rule("2.15.1", "2.9.21").isPresent());
    assertFalse(rule("2.10.27", "2.9.22").isPresent(), "2.9.22 reads the 2.10 format");
    assertFalse(rule("2.9.10", "2.10.27").isPresent(), "an upgrade");
    assertFalse(rule("2.15.1", "2.10.27").isPresent(), "no known incompatibility");
    String why = rule("2.10.27", "2.9.10").orElseThrow();
    assertTrue(why.contains("2.10.27") && why.contains("2.9.10"), why);
    assertTrue(why.contains("fresh store"), "the message says what to do: " + why);
  }

  @Test
  @DisplayName(
      "a real downgrade is refused before the old binary touches the store, and the new one still"
          + " opens it (needs a 2.10+ and a pre-2.9.22 build in NATSPROOF_SERVER_VERSIONS)")
  void realDowngradeRefused() throws Exception {
    NatsServerBinary newer = null;
    NatsServerBinary older = null;
    for (NatsServerBinary b : NatsServerBinary.matrix()) {
      ServerVersion v = b.serverVersion();
      if (v.compareTo(StoreCompatibility.NEW_FORMAT) >= 0 && newer == null) {
        newer = b;
      } else if (v.compareTo(StoreCompatibility.FIRST_29_READER) < 0 && older == null) {
        older = b;
      }
    }
    Assumptions.assumeTrue(
        newer != null && older != null,
        "the matrix has no 2.10+ build and pre-2.9.22 build to downgrade between: "
            + NatsServerBinary.matrix()
            + " (./natsproof test sets NATSPROOF_SERVER_VERSIONS=bookworm,trixie,sid)");
    try (NatsServer s = NatsServer.builder().binary(newer).name("store-guard").start()) {
      try (Connection nc = connect(s)) {
        JetStreamManagement jsm = nc.jetStreamManagement();
        jsm.addStream(
            StreamConfiguration.builder()
                .name("GUARD")
                .subjects("guard.>")
                .storageType(StorageType.File)
                .build());
        nc.jetStream().publish("guard.one", new byte[] {1});
      }
      s.stop();
      Map<String, String> before = snapshot(s.storeDir());
      s.useBinary(older);
      NatsServerStartException e = assertThrows(NatsServerStartException.class, s::start);
      assertTrue(
          e.getMessage().contains(newer.version()) && e.getMessage().contains(older.version()),
          "the refusal names both versions: " + e.getMessage());
      assertFalse(s.isRunning(), "the old binary never ran");
      assertEquals(
          before, snapshot(s.storeDir()), "the store is exactly as the new version left it");
      s.useBinary(newer);
      s.start();
      try (Connection nc = connect(s)) {
        assertEquals(
            1, nc.jetStreamManagement().getStreamInfo("GUARD").getStreamState().getMsgCount());
      }
    }
  }

  @Test
  @DisplayName("every start marks the store with the version that opened it")
  void marks() throws Exception {
    try (NatsServer s = NatsServer.startDefault()) {
      assertEquals(
          s.version(), Files.readString(s.storeDir().resolve(NatsServer.STORE_MARK)).strip());
    }
  }

  private static Connection connect(NatsServer s) throws Exception {
    return Nats.connect(
        Options.builder()
            .server(s.clientUrl())
            .connectionTimeout(Duration.ofSeconds(5))
            .maxReconnects(0)
            .build());
  }

  /** Every file under the store with its size and modification time. */
  private static Map<String, String> snapshot(Path store) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> files = Files.walk(store)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        m.put(store.relativize(f).toString(), Files.size(f) + "@" + Files.getLastModifiedTime(f));
      }
    }
    return m;
  }
}
