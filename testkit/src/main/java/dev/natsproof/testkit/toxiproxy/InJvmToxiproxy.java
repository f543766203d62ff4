package dev.natsproof.testkit.toxiproxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The project's own Toxiproxy: the HTTP API of Shopify's toxiproxy 2.12 (status codes, JSON error
 * bodies, defaults) on the JDK's HTTP server, and its TCP data path with all seven toxics. Used
 * when no real {@code toxiproxy-server} is available (no registry these machines reach ships one).
 */
public final class InJvmToxiproxy implements ToxiproxyServer {
  static final String VERSION = "2.12.0";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer http;
  private final ExecutorService pool;
  private final Map<String, ProxyInstance> proxies = new TreeMap<>();

  private InJvmToxiproxy(int port) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "toxiproxy-api");
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(pool);
    http.createContext("/", this::handle);
    http.start();
  }

  /** Starts on a free loopback port. */
  public static InJvmToxiproxy start() {
    return start(0);
  }

  public static InJvmToxiproxy start(int port) {
    try {
      return new InJvmToxiproxy(port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the in-JVM Toxiproxy on port " + port, e);
    }
  }

  @Override
  public String kind() {
    return "in-jvm";
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    synchronized (proxies) {
      proxies.values().forEach(ProxyInstance::close);
      proxies.clear();
    }
    http.stop(0);
    pool.shutdownNow();
  }

  // ------------------------------------------------------------------ routing

  private void handle(HttpExchange ex) throws IOException {
    try {
      String[] p = ex.getRequestURI().getPath().replaceAll("/+$", "").split("/");
      String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
      // p[0] is "" (leading slash)
      if (p.length == 2 && p[1].equals("version")) {
        allow(method, "GET");
        reply(ex, 200, Map.of("version", VERSION));
      } else if (p.length == 2 && p[1].equals("reset")) {
        allow(method, "POST");
        reset();
        reply(ex, 204, null);
      } else if (p.length == 2 && p[1].equals("populate")) {
        allow(method, "POST");
        populate(ex);
      } else if (p.length == 2 && p[1].equals("proxies")) {
        if (method.equals("GET")) {
          Map<String, Object> all = new LinkedHashMap<>();
          synchronized (proxies) {
            proxies.forEach((k, v) -> all.put(k, v.json()));
          }
          reply(ex, 200, all);
        } else {
          allow(method, "POST");
          createProxy(ex);
        }
      } else if (p.length == 3 && p[1].equals("proxies")) {
        ProxyInstance proxy = proxy(p[2]);
        switch (method) {
          case "GET" -> reply(ex, 200, proxy.json());
          case "POST", "PATCH" -> {
            Map<String, Object> body = body(ex);
            proxy.update(
                str(body, "listen"),
                str(body, "upstream"),
                (Boolean) typed(body, "enabled", Boolean.class));
            reply(ex, 200, proxy.json());
          }
          case "DELETE" -> {
            synchronized (proxies) {
              proxies.remove(proxy.name);
            }
            proxy.close();
            reply(ex, 204, null);
          }
          default -> throw new ApiError(405, "method not allowed");
        }
      } else if (p.length == 4 && p[1].equals("proxies") && p[3].equals("toxics")) {
        ProxyInstance proxy = proxy(p[2]);
        if (method.equals("GET")) {
          List<Object> ts = new ArrayList<>();
          proxy.allToxics().forEach(t -> ts.add(t.json()));
          reply(ex, 200, ts);
        } else {
          allow(method, "POST");
          reply(ex, 200, createToxic(proxy, body(ex)).json());
        }
      } else if (p.length == 5 && p[1].equals("proxies") && p[3].equals("toxics")) {
        ProxyInstance proxy = proxy(p[2]);
        Toxic t = proxy.toxic(p[4]);
        switch (method) {
          case "GET" -> reply(ex, 200, t.json());
          case "POST", "PATCH" -> {
            Map<String, Object> body = body(ex);
            Object attrs = body.get("attributes");
            if (attrs != null && !(attrs instanceof Map)) {
              throw new ApiError(400, "bad request body: attributes must be an object");
            }
            Number tox = (Number) typed(body, "toxicity", Number.class);
            t.merge((Map<?, ?>) attrs);
            if (tox != null) {
              t.toxicity = tox.doubleValue();
            }
            proxy.toxicsChanged();
            reply(ex, 200, t.json());
          }
          case "DELETE" -> {
            proxy.removeToxic(t.name);
            reply(ex, 204, null);
          }
          default -> throw new ApiError(405, "method not allowed");
        }
      } else {
        byte[] b = "404 page not found\n".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(404, b.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(b);
        }
      }
    } catch (ApiError e) {
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("error", e.getMessage());
      err.put("status", e.status);
      reply(ex, e.status, err);
    } catch (RuntimeException e) {
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("error", String.valueOf(e));
      err.put("status", 500);
      reply(ex, 500, err);
    } finally {
      ex.close();
    }
  }

  private static void allow(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new ApiError(405, "method not allowed");
    }
  }

  private ProxyInstance proxy(String name) {
    synchronized (proxies) {
      ProxyInstance p = proxies.get(name);
      if (p == null) {
        throw new ApiError(404, "proxy not found");
      }
      return p;
    }
  }

  // ------------------------------------------------------------------ operations

  private void createProxy(HttpExchange ex) throws IOException {
    Map<String, Object> body = body(ex);
    String name = required(body, "name");
    String upstream = required(body, "upstream");
    String listen = str(body, "listen");
    Boolean enabled = (Boolean) typed(body, "enabled", Boolean.class);
    synchronized (proxies) {
      if (proxies.containsKey(name)) {
        throw new ApiError(409, "proxy already exists");
      }
      ProxyInstance p = new ProxyInstance(name, listen == null ? "127.0.0.1:0" : listen, upstream);
      ProxyInstance.HostPort.parse(upstream, "upstream");
      if (enabled == null || enabled) {
        p.start(); // a bind failure answers 500 and the proxy is not registered
      }
      proxies.put(name, p);
      reply(ex, 201, p.json());
    }
  }

  /**
   * Host and port alike once resolved: {@code localhost:P} is {@code 127.0.0.1:P}; port 0 never.
   */
  static boolean sameAddress(String bound, String requested) {
    int a = bound.lastIndexOf(':');
    int b = requested.lastIndexOf(':');
    if (a < 0 || b < 0) {
      return bound.equals(requested);
    }
    String portA = bound.substring(a + 1);
    String portB = requested.substring(b + 1);
    if (!portA.equals(portB) || portB.equals("0")) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(hostOf(bound, a))
          .equals(java.net.InetAddress.getByName(hostOf(requested, b)));
    } catch (java.net.UnknownHostException e) {
      return bound.equals(requested);
    }
  }

  private static String hostOf(String address, int colon) {
    String h = address.substring(0, colon);
    return h.isEmpty() ? "0.0.0.0" : h.replace("[", "").replace("]", "");
  }

  private void populate(HttpExchange ex) throws IOException {
    Object parsed = parse(ex);
    if (!(parsed instanceof List<?> list)) {
      throw new ApiError(400, "bad request body: expected an array of proxies");
    }
    List<Map<String, Object>> specs = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new ApiError(400, "bad request body: expected an array of proxies");
      }
      Map<String, Object> lower = lowerKeys(m);
      required(lower, "name");
      required(lower, "upstream");
      specs.add(lower);
    }
    List<Object> done = new ArrayList<>();
    synchronized (proxies) {
      for (Map<String, Object> spec : specs) {
        String name = str(spec, "name");
        String listen = str(spec, "listen") == null ? "127.0.0.1:0" : str(spec, "listen");
        String upstream = str(spec, "upstream");
        Boolean enabled = (Boolean) typed(spec, "enabled", Boolean.class);
        ProxyInstance existing = proxies.get(name);
        try {
          // Real Toxiproxy keeps a re-populated proxy only when it would listen where it already
          // does and forward to the same place; a requested port 0 never equals a bound port, so
          // such a proxy is replaced (new port, toxics gone).
          if (existing != null
              && existing.upstream().equals(upstream)
              && sameAddress(existing.listen(), listen)) {
            done.add(existing.json());
            continue;
          }
          if (existing != null) {
            existing.close();
            proxies.remove(name);
          }
          ProxyInstance p = new ProxyInstance(name, listen, upstream);
          if (enabled == null || enabled) {
            p.start();
          }
          proxies.put(name, p);
          done.add(p.json());
        } catch (ApiError e) {
          Map<String, Object> err = new LinkedHashMap<>();
          err.put("error", e.getMessage());
          err.put("status", e.status);
          err.put("proxies", done);
          reply(ex, e.status, err);
          return;
        }
      }
    }
    reply(ex, 201, Map.of("proxies", done));
  }

  private static Toxic createToxic(ProxyInstance proxy, Map<String, Object> body) {
    String stream = str(body, "stream");
    if (stream == null || stream.isEmpty()) {
      stream = "downstream";
    }
    stream = stream.toLowerCase(Locale.ROOT);
    if (!stream.equals("upstream") && !stream.equals("downstream")) {
      throw new ApiError(400, "stream was invalid, can be either upstream or downstream");
    }
    String type = str(body, "type");
    if (type == null || !Toxic.ATTRIBUTES.containsKey(type)) {
      throw new ApiError(400, "invalid toxic type");
    }
    String name = str(body, "name");
    if (name == null || name.isEmpty()) {
      name = type + "_" + stream;
    }
    Number tox = (Number) typed(body, "toxicity", Number.class);
    Toxic t = new Toxic(name, type, stream, tox == null ? 1.0 : tox.doubleValue());
    for (Toxic existing : proxy.allToxics()) {
      if (existing.name.equals(name)) {
        throw new ApiError(409, "toxic already exists");
      }
    }
    Object attrs = body.get("attributes");
    if (attrs != null && !(attrs instanceof Map)) {
      throw new ApiError(400, "bad request body: attributes must be an object");
    }
    t.merge((Map<?, ?>) attrs);
    proxy.addToxic(t);
    return t;
  }

  private void reset() {
    synchronized (proxies) {
      for (ProxyInstance p : proxies.values()) {
        p.removeAllToxics();
        if (!p.enabled()) {
          try {
            p.start();
          } catch (ApiError e) {
            // the port is taken: it stays disabled, as the real server leaves it
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ JSON

  private static Object parse(HttpExchange ex) throws IOException {
    byte[] raw = ex.getRequestBody().readAllBytes();
    if (raw.length == 0 || new String(raw, StandardCharsets.UTF_8).isBlank()) {
      throw new ApiError(400, "bad request body: EOF");
    }
    try {
      return JSON.readValue(raw, Object.class);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "bad request body: " + e.getOriginalMessage());
    }
  }

  /** Request bodies are JSON whatever the Content-Type; field names match case-insensitively. */
  private static Map<String, Object> body(HttpExchange ex) throws IOException {
    Object o = parse(ex);
    if (!(o instanceof Map<?, ?> m)) {
      throw new ApiError(400, "bad request body: expected a JSON object");
    }
    return lowerKeys(m);
  }

  private static Map<String, Object> lowerKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k).toLowerCase(Locale.ROOT), v));
    return out;
  }

  private static String str(Map<String, Object> body, String key) {
    Object v = body.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ApiError(400, "bad request body: " + key + " must be a string");
    }
    return s;
  }

  private static Object typed(Map<String, Object> body, String key, Class<?> type) {
    Object v = body.get(key);
    if (v != null && !type.isInstance(v)) {
      throw new ApiError(
          400, "bad request body: " + key + " must be a " + type.getSimpleName().toLowerCase());
    }
    return v;
  }

  private static String required(Map<String, Object> body, String key) {
    String v = str(body, key);
    if (v == null || v.isEmpty()) {
      throw new ApiError(400, "missing required field: " + key);
    }
    return v;
  }

  private static void reply(HttpExchange ex, int status, Object body) throws IOException {
    if (status == 204 || body == null) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    byte[] b = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }
}
