package dev.natsproof.benchmarks.jmh;

import dev.natsproof.benchmarks.ServerUrls;
import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The server a benchmark targets: {@code -Dnatsproof.server=nats://host:4222[,…]} for an external
 * server or cluster, otherwise a nats-server started here on a free loopback port (or, for
 * replicated streams, a 3-node cluster of them), stopped at the end of the trial.
 */
final class BenchServer implements AutoCloseable {
  private final Runnable embedded; // stops what was started here, or null
  private final List<String> urls;
  private final List<Long> pids;

  private BenchServer(Runnable embedded, List<String> urls, List<Long> pids) {
    this.embedded = embedded;
    this.urls = urls;
    this.pids = pids;
  }

  static BenchServer start() {
    return start(1);
  }

  /**
   * @param replicas the stream replicas the benchmark needs: above 1, an embedded target is a
   *     3-node cluster (an external one must be a cluster already: the server refuses the stream
   *     otherwise, and the benchmark fails with its error)
   */
  static BenchServer start(int replicas) {
    String url = System.getProperty("natsproof.server");
    if (url != null && !url.isBlank()) {
      return new BenchServer(null, ServerUrls.parse(url), List.of());
    }
    if (replicas > 1) {
      NatsCluster c =
          NatsCluster.start(Math.max(3, replicas), "", outDir().resolve("nats-cluster"));
      c.awaitMetaLeader(Duration.ofSeconds(30));
      return new BenchServer(
          c::close, c.clientUrls(), c.nodes().stream().map(NatsServer::pid).toList());
    }
    NatsServer s = NatsServer.builder().workDir(outDir().resolve("nats-server")).start();
    return new BenchServer(s::close, List.of(s.clientUrl()), List.of(s.pid()));
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

  /** The embedded servers' CPU so far; null for an external server (not ours to measure). */
  java.util.function.LongSupplier serverCpuNanos() {
    return pids.isEmpty() ? null : dev.natsproof.benchmarks.OpenLoop.processCpuNanos(pids);
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.run();
    }
  }
}
