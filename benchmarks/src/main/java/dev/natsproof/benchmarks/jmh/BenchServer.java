package dev.natsproof.benchmarks.jmh;

import dev.natsproof.testkit.NatsServer;
import java.nio.file.Path;
import java.util.List;

/**
 * The server a benchmark targets: {@code -Dnatsproof.server=nats://host:4222[,…]} for an external
 * server or cluster, otherwise a nats-server started here on a free loopback port (and stopped at
 * the end of the trial).
 */
final class BenchServer implements AutoCloseable {
  private final NatsServer embedded;
  private final List<String> urls;

  private BenchServer(NatsServer embedded, List<String> urls) {
    this.embedded = embedded;
    this.urls = urls;
  }

  static BenchServer start() {
    String url = System.getProperty("natsproof.server");
    if (url != null && !url.isBlank()) {
      return new BenchServer(null, List.of(url.split(",")));
    }
    NatsServer s = NatsServer.builder().workDir(outDir().resolve("nats-server")).start();
    return new BenchServer(s, List.of(s.clientUrl()));
  }

  static Path outDir() {
    return Path.of(System.getProperty("natsproof.bench.out", "target/bench"));
  }

  List<String> urls() {
    return urls;
  }

  boolean embedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
