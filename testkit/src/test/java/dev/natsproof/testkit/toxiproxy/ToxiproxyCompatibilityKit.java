package dev.natsproof.testkit.toxiproxy;

import static dev.natsproof.testkit.toxiproxy.TcpFixtures.connect;
import static dev.natsproof.testkit.toxiproxy.TcpFixtures.readN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a Toxiproxy server must do, asked only through the unchanged toxiproxy-java client (and, for
 * the two error paths that client cannot produce, plain HTTP). It does not know which server is
 * behind it: subclasses say.
 */
abstract class ToxiproxyCompatibilityKit {
  ToxiproxyServer server;
  ToxiproxyClient client;
  TcpFixtures.Upstream echo;
  String prefix;

  abstract ToxiproxyServer startServer();

  @BeforeEach
  void setUp() throws IOException {
    server = startServer();
    client = new ToxiproxyClient(server.host(), server.port());
    echo = TcpFixtures.Upstream.echo();
    prefix = "p" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void tearDown() throws IOException {
    for (Proxy p : client.getProxies()) {
      if (p.getName().startsWith(prefix)) {
        p.delete();
      }
    }
    echo.close();
    server.close();
  }

  Proxy proxy() throws IOException {
    return client.createProxy(prefix + "-echo", "127.0.0.1:0", echo.address());
  }

  static long roundTripMillis(Socket s, byte[] data) throws IOException {
    long t0 = System.nanoTime();
    s.getOutputStream().write(data);
    s.getOutputStream().flush();
    byte[] back = readN(s.getInputStream(), data.length);
    assertArrayEquals(data, back);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  HttpResponse<String> http(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---------------------------------------------------------------- API

  @Test
  @DisplayName("the server answers its version")
  void version() throws IOException {
    assertTrue(client.version().contains("2."), client.version());
  }

  @Test
  @DisplayName("a created proxy is listed, found by name, enabled, with the real listen port")
  void createAndGet() throws IOException {
    Proxy p = proxy();
    assertTrue(p.isEnabled());
    assertFalse(p.getListen().endsWith(":0"), p.getListen());
    assertEquals(echo.address(), p.getUpstream());
    assertEquals(p.getListen(), client.getProxy(p.getName()).getListen());
    assertTrue(client.getProxies().stream().anyMatch(x -> x.getName().equals(p.getName())));
  }

  @Test
  @DisplayName("a duplicate proxy name is refused with 409")
  void duplicateProxy() throws IOException {
    proxy();
    IOException e = assertThrows(IOException.class, this::proxy);
    assertTrue(
        e.getMessage().contains("409") && e.getMessage().contains("proxy already exists"),
        e.getMessage());
  }

  @Test
  @DisplayName("a missing proxy is 404 (and null from getProxyOrNull)")
  void missingProxy() {
    IOException e = assertThrows(IOException.class, () -> client.getProxy(prefix + "-nope"));
    assertTrue(
        e.getMessage().contains("404") && e.getMessage().contains("proxy not found"),
        e.getMessage());
    assertNull(client.getProxyOrNull(prefix + "-nope"));
  }

  @Test
  @DisplayName("toxics are listed upstream first then downstream, each found by name")
  void toxicsListed() throws IOException {
    Proxy p = proxy();
    p.toxics().latency("lat-down", ToxicDirection.DOWNSTREAM, 10);
    p.toxics().bandwidth("bw-up", ToxicDirection.UPSTREAM, 1000);
    p.toxics().timeout("to-down", ToxicDirection.DOWNSTREAM, 0);
    List<String> names = p.toxics().getAll().stream().map(t -> t.getName()).toList();
    assertEquals(List.of("bw-up", "lat-down", "to-down"), names);
    Latency l = p.toxics().get("lat-down", Latency.class);
    assertEquals(10, l.getLatency());
    assertEquals(0, l.getJitter());
    assertEquals(ToxicDirection.DOWNSTREAM, l.getStream());
    assertEquals(1.0f, l.getToxicity());
  }

  @Test
  @DisplayName("a missing toxic is 404; a duplicate toxic name is 409")
  void toxicErrors() throws IOException {
    Proxy p = proxy();
    IOException missing = assertThrows(IOException.class, () -> p.toxics().get("nope"));
    assertTrue(missing.getMessage().contains("toxic not found"), missing.getMessage());
    p.toxics().latency("same", ToxicDirection.DOWNSTREAM, 10);
    IOException dup =
        assertThrows(
            IOException.class, () -> p.toxics().latency("same", ToxicDirection.UPSTREAM, 10));
    assertTrue(
        dup.getMessage().contains("409") && dup.getMessage().contains("toxic already exists"),
        dup.getMessage());
  }

  @Test
  @DisplayName("a bad stream or toxic type is 400 with a JSON error body")
  void badStreamAndType() throws Exception {
    Proxy p = proxy();
    var badStream =
        http(
            "POST",
            "/proxies/" + p.getName() + "/toxics",
            "{\"type\":\"latency\",\"stream\":\"sideways\",\"attributes\":{\"latency\":1}}");
    assertEquals(400, badStream.statusCode());
    assertTrue(badStream.body().contains("stream was invalid"), badStream.body());
    var badType = http("POST", "/proxies/" + p.getName() + "/toxics", "{\"type\":\"gremlin\"}");
    assertEquals(400, badType.statusCode());
    assertTrue(
        badType.body().contains("invalid toxic type") && badType.body().contains("\"status\""),
        badType.body());
    var empty = http("POST", "/proxies", "");
    assertEquals(400, empty.statusCode());
  }

  @Test
  @DisplayName("an attribute update is read back")
  void toxicUpdate() throws IOException {
    Proxy p = proxy();
    Latency l = p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 10);
    l.setJitter(3);
    l.setLatency(20);
    l.setToxicity(0.5f);
    Latency back = p.toxics().get("lat", Latency.class);
    assertEquals(20, back.getLatency());
    assertEquals(3, back.getJitter());
    assertEquals(0.5f, back.getToxicity());
  }

  @Test
  @DisplayName(
      "populate keeps a proxy re-populated with its bound address, toxics and all (localhost"
          + " counts as 127.0.0.1)")
  void populateKeepsTheSameAddress() throws Exception {
    String first = populateBody(prefix + "-a", "127.0.0.1:0");
    var created = http("POST", "/populate", first);
    assertEquals(201, created.statusCode(), created.body());
    Proxy p = client.getProxy(prefix + "-a");
    String listen = p.getListen();
    p.toxics().latency("kept", ToxicDirection.DOWNSTREAM, 5);
    String port = listen.substring(listen.lastIndexOf(':') + 1);
    for (String same : List.of(listen, "localhost:" + port)) {
      var again = http("POST", "/populate", populateBody(prefix + "-a", same));
      assertEquals(201, again.statusCode(), again.body());
      Proxy now = client.getProxy(prefix + "-a");
      assertEquals(listen, now.getListen(), "re-populated with " + same);
      assertEquals(1, now.toxics().getAll().size(), "toxics kept for " + same);
    }
  }

  @Test
  @DisplayName("populate with port 0 again replaces the proxy: a new port and no toxics")
  void populateWithPortZeroReplaces() throws Exception {
    String body = populateBody(prefix + "-b", "127.0.0.1:0");
    assertEquals(201, http("POST", "/populate", body).statusCode());
    Proxy p = client.getProxy(prefix + "-b");
    String listen = p.getListen();
    p.toxics().latency("dropped", ToxicDirection.DOWNSTREAM, 5);
    var again = http("POST", "/populate", body);
    assertEquals(201, again.statusCode(), again.body());
    Proxy now = client.getProxy(prefix + "-b");
    assertNotEquals(listen, now.getListen(), "a requested :0 never equals a bound port");
    assertEquals(0, now.toxics().getAll().size(), "the replaced proxy's toxics are gone");
  }

  private String populateBody(String name, String listen) {
    return "[{\"name\":\""
        + name
        + "\",\"listen\":\""
        + listen
        + "\",\"upstream\":\""
        + echo.address()
        + "\"}]";
  }

  // ---------------------------------------------------------------- data path

  @Test
  @DisplayName("without toxics bytes pass both ways unchanged")
  void passThrough() throws IOException {
    Proxy p = proxy();
    try (Socket s = connect(p.getListen())) {
      byte[] data = new byte[100_000];
      new Random(1).nextBytes(data);
      roundTripMillis(s, data);
    }
  }

  @Test
  @DisplayName("latency adds at least its delay, and not unboundedly more")
  void latency() throws IOException {
    Proxy p = proxy();
    p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 200);
    try (Socket s = connect(p.getListen())) {
      long ms = roundTripMillis(s, "ping".getBytes());
      assertTrue(ms >= 200 && ms < 3000, ms + " ms");
    }
  }

  @Test
  @DisplayName("removing a latency toxic releases what it holds at once")
  void latencyRemoved() throws Exception {
    Proxy p = proxy();
    p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 10_000);
    try (Socket s = connect(p.getListen())) {
      long t0 = System.nanoTime();
      s.getOutputStream().write("held".getBytes());
      s.getOutputStream().flush();
      p.toxics().get("lat").remove();
      assertArrayEquals("held".getBytes(), readN(s.getInputStream(), 4));
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 9_000);
    }
  }

  @Test
  @DisplayName("toxicity 0 means the toxic never acts")
  void toxicityZero() throws IOException {
    Proxy p = proxy();
    p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 10_000).setToxicity(0f);
    try (Socket s = connect(p.getListen())) {
      assertTrue(roundTripMillis(s, "x".getBytes()) < 9_000);
    }
  }

  @Test
  @DisplayName("bandwidth limits the rate (KB/s)")
  void bandwidth() throws IOException {
    Proxy p = proxy();
    p.toxics().bandwidth("bw", ToxicDirection.DOWNSTREAM, 100); // 100 KB/s
    try (Socket s = connect(p.getListen())) {
      long ms = roundTripMillis(s, new byte[50_000]); // 50 KB: at least ~0.5 s
      assertTrue(ms >= 400, ms + " ms");
    }
  }

  @Test
  @DisplayName("timeout discards data, then closes the connection after its time")
  void timeout() throws IOException {
    Proxy p = proxy();
    p.toxics().timeout("to", ToxicDirection.DOWNSTREAM, 500);
    try (Socket s = connect(p.getListen())) {
      long t0 = System.nanoTime();
      s.getOutputStream().write("lost".getBytes());
      s.getOutputStream().flush();
      int r;
      try {
        r = s.getInputStream().read();
      } catch (SocketException e) {
        r = -1;
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(-1, r, "no data may come through");
      assertTrue(ms >= 450, "closed after " + ms + " ms");
    }
  }

  @Test
  @DisplayName("reset_peer tears the connection down with a reset")
  void resetPeer() throws IOException {
    Proxy p = proxy();
    p.toxics().resetPeer("rst", ToxicDirection.UPSTREAM, 0);
    try (Socket s = connect(p.getListen())) {
      s.getOutputStream().write("boom".getBytes());
      s.getOutputStream().flush();
      IOException e =
          assertThrows(
              IOException.class,
              () -> {
                int r = s.getInputStream().read();
                if (r == -1) {
                  throw new IOException("clean EOF, not a reset");
                }
              });
      assertTrue(e.getMessage().toLowerCase().contains("reset"), e.getMessage());
    }
  }

  @Test
  @DisplayName("limit_data passes exactly N bytes, then closes")
  void limitData() throws IOException {
    Proxy p = proxy();
    p.toxics().limitData("lim", ToxicDirection.DOWNSTREAM, 10);
    try (Socket s = connect(p.getListen())) {
      byte[] data = new byte[100];
      new Random(2).nextBytes(data);
      s.getOutputStream().write(data);
      s.getOutputStream().flush();
      byte[] back = s.getInputStream().readAllBytes();
      assertEquals(10, back.length);
      assertArrayEquals(java.util.Arrays.copyOf(data, 10), back);
    }
  }

  @Test
  @DisplayName("slicer keeps every byte and its order")
  void slicer() throws IOException {
    Proxy p = proxy();
    p.toxics().slicer("sl", ToxicDirection.DOWNSTREAM, 10, 5).setDelay(100);
    try (Socket s = connect(p.getListen())) {
      byte[] data = new byte[5_000];
      new Random(3).nextBytes(data);
      roundTripMillis(s, data);
    }
  }

  @Test
  @DisplayName("slow_close postpones the close")
  void slowClose() throws IOException {
    try (TcpFixtures.Upstream closer = TcpFixtures.Upstream.closer()) {
      Proxy p = client.createProxy(prefix + "-closer", "127.0.0.1:0", closer.address());
      p.toxics().slowClose("sc", ToxicDirection.DOWNSTREAM, 600);
      long t0 = System.nanoTime();
      try (Socket s = connect(p.getListen())) {
        int r;
        try {
          r = s.getInputStream().read();
        } catch (SocketException e) {
          r = -1;
        }
        assertEquals(-1, r);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 550, "closed after " + ms + " ms");
      }
    }
  }

  @Test
  @DisplayName("disable drops live connections and refuses new ones; enable lets them in again")
  void disableEnable() throws IOException {
    Proxy p = proxy();
    String listen = p.getListen();
    try (Socket s = connect(listen)) {
      roundTripMillis(s, "a".getBytes());
      p.disable();
      int r;
      try {
        r = s.getInputStream().read();
      } catch (SocketException e) {
        r = -1;
      }
      assertEquals(-1, r, "live connection dropped");
    }
    assertThrows(ConnectException.class, () -> connect(listen).close());
    p.enable();
    assertEquals(listen, client.getProxy(p.getName()).getListen(), "re-enabled on the same port");
    try (Socket s = connect(listen)) {
      roundTripMillis(s, "b".getBytes());
    }
  }

  @Test
  @DisplayName("reset removes every toxic and re-enables every proxy, deleting none")
  void reset() throws IOException {
    Proxy p = proxy();
    p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 10_000);
    p.disable();
    client.reset();
    Proxy back = client.getProxy(p.getName());
    assertTrue(back.isEnabled());
    assertTrue(back.toxics().getAll().isEmpty());
    try (Socket s = connect(back.getListen())) {
      assertTrue(roundTripMillis(s, "x".getBytes()) < 9_000);
    }
  }

  @Test
  @DisplayName("a new upstream applies to new connections")
  void changeUpstream() throws IOException {
    Proxy p = client.createProxy(prefix + "-moving", "127.0.0.1:0", "127.0.0.1:1");
    p.setUpstream(echo.address());
    assertEquals(echo.address(), client.getProxy(p.getName()).getUpstream());
    try (Socket s = connect(client.getProxy(p.getName()).getListen())) {
      roundTripMillis(s, "moved".getBytes());
    }
  }

  @Test
  @DisplayName("a deleted proxy is gone and its port closed")
  void deleteProxy() throws IOException {
    Proxy p = proxy();
    String listen = p.getListen();
    p.delete();
    assertNull(client.getProxyOrNull(p.getName()));
    assertThrows(ConnectException.class, () -> connect(listen).close());
  }

  @Test
  @DisplayName("an upstream nobody listens on closes the client at once")
  void deadUpstream() throws IOException {
    Proxy p = client.createProxy(prefix + "-dead", "127.0.0.1:0", "127.0.0.1:1");
    try (Socket s = connect(p.getListen())) {
      int r;
      try {
        r = s.getInputStream().read();
      } catch (SocketException e) {
        r = -1;
      }
      assertEquals(-1, r);
    }
    assertNotEquals(null, p.getListen());
  }

  static void write(OutputStream out, byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  static int read(InputStream in) throws IOException {
    return in.read();
  }
}
