package dev.natsproof.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BrokerOptionsTest {

  @Test
  @DisplayName("options without a server URL say how to give one")
  void needsServer() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BrokerOptions.builder().build());
    assertTrue(e.getMessage().contains("servers("), e.getMessage());
  }

  @Test
  @DisplayName("several URLs, also comma-separated, are all kept in order")
  void severalServers() {
    BrokerOptions o =
        BrokerOptions.builder().servers("nats://a:4222,nats://b:4223", "nats://c:4224").build();
    assertEquals(3, o.servers().size());
    assertEquals("nats://c:4224", o.servers().get(2));
  }

  @Test
  @DisplayName("a malformed URL is refused")
  void badUrl() {
    assertThrows(
        IllegalArgumentException.class, () -> BrokerOptions.builder().servers("http//x y"));
  }

  @Test
  @DisplayName("negative or zero durations are refused with the option's name")
  void badDurations() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BrokerOptions.builder().connectTimeout(Duration.ofSeconds(-1)));
    assertTrue(e.getMessage().contains("connectTimeout"));
    assertThrows(
        IllegalArgumentException.class, () -> BrokerOptions.builder().pingInterval(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> BrokerOptions.builder().reconnectWait(Duration.ofMillis(-5)));
    assertThrows(IllegalArgumentException.class, () -> BrokerOptions.builder().maxReconnects(-2));
  }

  @Test
  @DisplayName("two authentication methods at once are refused")
  void oneAuthMethod() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            BrokerOptions.builder()
                .servers("nats://127.0.0.1:4222")
                .userInfo("u", "p".toCharArray())
                .token("t".toCharArray())
                .build());
  }

  @Test
  @DisplayName("an unreadable credentials file is refused when configured")
  void missingCreds() {
    assertThrows(
        IllegalArgumentException.class,
        () -> BrokerOptions.builder().credentialsFile(Path.of("/nonexistent/user.creds")));
  }

  @Test
  @DisplayName("toString never shows a password or token")
  void noSecretsInToString() {
    BrokerOptions o =
        BrokerOptions.builder()
            .servers("nats://127.0.0.1:4222")
            .userInfo("alice", "hunter2".toCharArray())
            .build();
    assertFalse(o.toString().contains("hunter2"));
  }

  @Test
  @DisplayName("a password or token inside a server URL is never printed")
  void noSecretsInUrls() {
    BrokerOptions o =
        BrokerOptions.builder()
            .servers("nats://alice:hunter2@127.0.0.1:4222", "nats://s3cr3t@10.0.0.6:4222")
            .build();
    assertFalse(o.toString().contains("hunter2"), o.toString());
    assertFalse(o.toString().contains("s3cr3t"), o.toString());
    assertTrue(o.toString().contains("nats://alice:***@127.0.0.1:4222"), o.toString());
    assertEquals(
        "cannot reach [nats://***@h:1]", BrokerOptions.redact("cannot reach [nats://tok@h:1]"));
  }

  @Test
  @DisplayName("defaults reconnect forever and ping often enough to notice a dead server")
  void gameDefaults() {
    BrokerOptions o = BrokerOptions.of("nats://127.0.0.1:4222");
    assertEquals(BrokerOptions.RECONNECT_FOREVER, o.maxReconnects());
    assertTrue(o.pingInterval().compareTo(Duration.ofSeconds(10)) <= 0);
  }
}
