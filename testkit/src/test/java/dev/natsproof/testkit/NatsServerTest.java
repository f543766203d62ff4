package dev.natsproof.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NatsServerTest {

  private static Connection connect(NatsServer s) throws Exception {
    return Nats.connect(
        Options.builder()
            .server(s.clientUrl())
            .connectionTimeout(Duration.ofSeconds(2))
            .maxReconnects(0)
            .build());
  }

  @Test
  @DisplayName("a started server accepts clients on loopback and reports its version")
  void startsOnLoopback() throws Exception {
    try (NatsServer s = NatsServer.startDefault();
        Connection nc = connect(s)) {
      assertTrue(s.isRunning());
      assertTrue(s.port() > 0, "port parsed from the server's log");
      assertEquals(s.binary().version(), s.version());
      assertEquals(s.version(), nc.getServerInfo().getVersion());
      assertTrue(nc.getServerInfo().isJetStreamAvailable(), "JetStream is on by default");
      assertTrue(Files.readString(s.configFile()).contains("listen: \"127.0.0.1:"));
    }
  }

  @Test
  @DisplayName("a server pinned with cpus(\"0\") runs on CPU 0 only, as the kernel reports")
  void pinned() throws Exception {
    try (NatsServer s = NatsServer.builder().cpus("0").start()) {
      String status = Files.readString(Path.of("/proc/" + s.pid() + "/status"));
      assertTrue(
          status.lines().anyMatch(l -> l.matches("Cpus_allowed_list:\\s+0")),
          "the server process is pinned: "
              + status.lines().filter(l -> l.startsWith("Cpus_allowed_list")).toList());
    }
    assertThrows(IllegalArgumentException.class, () -> NatsServer.builder().cpus("zero"));
  }

  @Test
  @DisplayName("a killed server's pid is gone")
  void killRemovesPid() {
    try (NatsServer s = NatsServer.startDefault()) {
      long pid = s.pid();
      assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      s.kill();
      assertFalse(s.isRunning());
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }
  }

  @Test
  @DisplayName("stop sends SIGTERM and the server shuts down cleanly")
  void stopIsGraceful() throws Exception {
    try (NatsServer s = NatsServer.startDefault()) {
      s.stop();
      assertFalse(s.isRunning());
      String log = Files.readString(s.logFile());
      assertTrue(log.contains("Initiating Shutdown") && log.contains("Server Exiting"), log);
    }
  }

  @Test
  @DisplayName("a paused server answers nothing until it is resumed")
  void pauseAndResume() throws Exception {
    try (NatsServer s = NatsServer.startDefault();
        Connection nc = connect(s)) {
      s.pause();
      assertTrue(s.isPaused());
      assertThrows(TimeoutException.class, () -> nc.flush(Duration.ofMillis(300)));
      s.resume();
      nc.flush(Duration.ofSeconds(5));
      assertFalse(s.isPaused());
    }
  }

  @Test
  @DisplayName("a restarted server listens on the same port and keeps its JetStream data")
  void restartKeepsPortAndData() throws Exception {
    try (NatsServer s = NatsServer.startDefault()) {
      int port = s.port();
      try (Connection nc = connect(s)) {
        JetStreamManagement jsm = nc.jetStreamManagement();
        jsm.addStream(
            StreamConfiguration.builder()
                .name("KEEP")
                .subjects("keep.>")
                .storageType(StorageType.File)
                .build());
        nc.jetStream().publish("keep.a", "one".getBytes());
        nc.jetStream().publish("keep.a", "two".getBytes());
      }
      long oldPid = s.pid();
      s.kill();
      s.start();
      assertEquals(port, s.port());
      assertTrue(s.pid() != oldPid);
      try (Connection nc = connect(s)) {
        var info = nc.jetStreamManagement().getStreamInfo("KEEP");
        assertEquals(2, info.getStreamState().getMsgCount());
        assertEquals(
            "two", new String(nc.jetStreamManagement().getLastMessage("KEEP", "keep.a").getData()));
      }
    }
  }

  @Test
  @DisplayName("restart of a running server stops it and comes back on the same port")
  void restartRunning() throws Exception {
    try (NatsServer s = NatsServer.startDefault()) {
      int port = s.port();
      long pid = s.pid();
      s.restart();
      assertEquals(port, s.port());
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      try (Connection nc = connect(s)) {
        assertEquals(Connection.Status.CONNECTED, nc.getStatus());
      }
    }
  }

  @Test
  @DisplayName("close never leaves a process behind, even when the server is paused")
  void closeKillsPaused() {
    NatsServer s = NatsServer.startDefault();
    long pid = s.pid();
    s.pause();
    s.close();
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertThrows(IllegalStateException.class, s::start, "a closed server cannot start again");
  }

  @Test
  @DisplayName("the server binds loopback only")
  void bindsLoopbackOnly() throws Exception {
    try (NatsServer s = NatsServer.startDefault()) {
      try (Socket sock = new Socket()) {
        sock.connect(new InetSocketAddress("127.0.0.1", s.port()), 2000);
        assertTrue(sock.isConnected());
      }
      assertTrue(Files.readString(s.logFile()).contains("127.0.0.1:" + s.port()));
    }
  }

  @Test
  @DisplayName("a config the server refuses fails the start with the server's own words")
  void badConfigFails(@TempDir Path dir) {
    NatsServerStartException e =
        assertThrows(
            NatsServerStartException.class,
            () -> NatsServer.builder().workDir(dir).config("no_such_key_here: 1").start());
    assertTrue(e.getMessage().contains("no_such_key_here"), e.getMessage());
  }

  @Test
  @DisplayName("a missing binary is an error that says how to get one")
  void missingBinary(@TempDir Path dir) {
    NatsServerNotFoundException e =
        assertThrows(
            NatsServerNotFoundException.class,
            () -> NatsServerBinary.of(dir.resolve("nats-server")));
    assertTrue(e.getMessage().contains("NATS_SERVER_PATH"), e.getMessage());
  }

  @Test
  @DisplayName("killing a server that is not running is refused")
  void killWhenDown() {
    try (NatsServer s = NatsServer.startDefault()) {
      s.kill();
      IllegalStateException e = assertThrows(IllegalStateException.class, s::kill);
      assertTrue(e.getMessage().contains("not running"));
    }
  }
}
