package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServerUrlsTest {
  @Test
  @DisplayName("one URL, or a list for a cluster, each URL on its own")
  void splits() {
    assertEquals(List.of("nats://10.0.0.5:4222"), ServerUrls.parse("nats://10.0.0.5:4222"));
    assertEquals(
        List.of("nats://a:4222", "nats://b:4222", "tls://c:4222"),
        ServerUrls.parse("nats://a:4222, nats://b:4222,tls://c:4222"));
  }

  @Test
  @DisplayName("a part that is not a URL, an empty part or nothing at all is named")
  void refuses() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> ServerUrls.parse("nats://a:4222,http//b"));
    assertTrue(e.getMessage().contains("'http//b'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ServerUrls.parse("nats://a:4222,"));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ServerUrls.parse(" "));
    assertTrue(e.getMessage().contains("nats://host:port"), e.getMessage());
  }
}
