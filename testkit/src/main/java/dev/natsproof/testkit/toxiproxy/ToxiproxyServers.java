package dev.natsproof.testkit.toxiproxy;

import dev.natsproof.testkit.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Picks the Toxiproxy server: {@code TOXIPROXY_URL} set → that server; {@code toxiproxy-server} on
 * PATH → started on a free loopback port; otherwise the in-JVM server. {@link
 * ToxiproxyServer#kind()} tells which one ran.
 */
public final class ToxiproxyServers {
  public static final String ENV_URL = "TOXIPROXY_URL";

  private ToxiproxyServers() {}

  public static ToxiproxyServer start() {
    String url = System.getenv(ENV_URL);
    if (url != null && !url.isBlank()) {
      return external(url.trim());
    }
    Path binary = onPath("toxiproxy-server");
    if (binary != null) {
      return startBinary(binary);
    }
    return InJvmToxiproxy.start();
  }

  static Path onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  private static ToxiproxyServer external(String url) {
    URI u = URI.create(url);
    if (u.getHost() == null || u.getPort() < 0) {
      throw new IllegalArgumentException(ENV_URL + "=" + url + " must look like http://host:8474");
    }
    if (!answers(u.getHost(), u.getPort())) {
      throw new IllegalStateException(
          ENV_URL + "=" + url + " does not answer GET /version: start it or unset " + ENV_URL);
    }
    return new ToxiproxyServer() {
      @Override
      public String kind() {
        return "external";
      }

      @Override
      public String host() {
        return u.getHost();
      }

      @Override
      public int port() {
        return u.getPort();
      }

      @Override
      public void close() {
        // not ours to stop
      }
    };
  }

  private static ToxiproxyServer startBinary(Path binary) {
    int port = FreePorts.next();
    Process p;
    try {
      p =
          new ProcessBuilder(
                  binary.toString(), "-host", "127.0.0.1", "-port", Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!answers("127.0.0.1", port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException(
            binary + " did not answer on port " + port + " within 10 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return new ToxiproxyServer() {
      @Override
      public String kind() {
        return "toxiproxy-server";
      }

      @Override
      public String host() {
        return "127.0.0.1";
      }

      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {
        p.destroy();
        try {
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          p.destroyForcibly();
        }
      }
    };
  }

  static boolean answers(String host, int port) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/version"))
                      .timeout(Duration.ofSeconds(1))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
