package dev.natsproof.benchmarks;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.nats.NatsBroker;
import dev.natsproof.results.Cli;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.toxiproxy.NatsProxies;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServer;
import dev.natsproof.testkit.toxiproxy.ToxiproxyServers;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What the Toxiproxy data path costs with no toxics: Core request/reply latency and pub/sub
 * throughput, direct vs through the proxy, measured in alternating rounds in one run and reported
 * as differences and ratios (never as absolute numbers compared across runs).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.natsproof.benchmarks.ProxyOverhead</pre>
 */
@Command(
    name = "proxy-overhead",
    mixinStandardHelpOptions = true,
    description =
        "What the Toxiproxy data path costs with no toxics, direct vs proxied in alternating rounds:"
            + " exit 0 when it adds at most 100 µs to a request's p50 and keeps 90 % of throughput.")
public final class ProxyOverhead implements Callable<Integer> {
  /**
   * @param toxiproxyKind which Toxiproxy server carried the proxied path
   * @param directRequestP50Micros request/reply p50, direct
   * @param proxiedRequestP50Micros request/reply p50, through the proxy
   * @param addedRequestP50Micros the difference (target: at most 100)
   * @param directRequestP99Micros p99 direct
   * @param proxiedRequestP99Micros p99 proxied
   * @param directMessagesPerSecond pub/sub throughput direct
   * @param proxiedMessagesPerSecond pub/sub throughput with the subscriber behind the proxy
   * @param throughputRatio proxied / direct (target: at least 0.9)
   */
  public record Result(
      String toxiproxyKind,
      long directRequestP50Micros,
      long proxiedRequestP50Micros,
      long addedRequestP50Micros,
      long directRequestP99Micros,
      long proxiedRequestP99Micros,
      double directMessagesPerSecond,
      double proxiedMessagesPerSecond,
      double throughputRatio) {}

  @Option(names = "--rounds", description = "rounds, the first a warm-up (${DEFAULT-VALUE})")
  int rounds = 6;

  public static void main(String[] args) {
    System.exit(Cli.run(new ProxyOverhead(), args));
  }

  @Override
  public Integer call() throws IOException {
    if (rounds < 2 || rounds > 50) {
      throw new IllegalArgumentException("--rounds must be 2..50 (one warm-up), got " + rounds);
    }
    Result r = run(rounds, System.out);
    System.out.println(r);
    return r.addedRequestP50Micros() <= 100 && r.throughputRatio() >= 0.9 ? 0 : 1;
  }

  public static Result run(int rounds, PrintStream out) throws IOException {
    try (NatsServer server = NatsServer.startDefault();
        ToxiproxyServer toxiproxy = ToxiproxyServers.start()) {
      ToxiproxyClient client = new ToxiproxyClient(toxiproxy.host(), toxiproxy.port());
      Proxy proxy = NatsProxies.clientProxy(client, "overhead", server);
      String direct = server.clientUrl();
      String proxied = NatsProxies.url(proxy);
      Histogram reqDirect = new Histogram(3);
      Histogram reqProxied = new Histogram(3);
      double[] rate = new double[2];
      int[] n = new int[2];
      try (NatsBroker responder = NatsBroker.connect(BrokerOptions.of(direct))) {
        responder.subscribe("echo", m -> responder.reply(m, m.data()));
        responder.flush(Duration.ofSeconds(5));
        for (int round = 0; round < rounds; round++) {
          // Alternate which goes first so drift on a noisy box hits both alike.
          boolean proxiedFirst = round % 2 == 1;
          for (int k = 0; k < 2; k++) {
            boolean viaProxy = (k == 0) == proxiedFirst;
            String url = viaProxy ? proxied : direct;
            requests(url, viaProxy ? reqProxied : reqDirect, round == 0 ? 200 : 1000);
            double mps = throughput(direct, url, 100_000);
            if (round > 0) { // round 0 is warm-up
              rate[viaProxy ? 1 : 0] += mps;
              n[viaProxy ? 1 : 0]++;
            }
          }
          out.printf("  round %d/%d done%n", round + 1, rounds);
        }
      }
      double directRate = rate[0] / Math.max(1, n[0]);
      double proxiedRate = rate[1] / Math.max(1, n[1]);
      return new Result(
          toxiproxy.kind(),
          reqDirect.getValueAtPercentile(50),
          reqProxied.getValueAtPercentile(50),
          reqProxied.getValueAtPercentile(50) - reqDirect.getValueAtPercentile(50),
          reqDirect.getValueAtPercentile(99),
          reqProxied.getValueAtPercentile(99),
          directRate,
          proxiedRate,
          proxiedRate / directRate);
    }
  }

  private static void requests(String url, Histogram h, int count) {
    try (NatsBroker requester = NatsBroker.connect(BrokerOptions.of(url))) {
      byte[] payload = new byte[64];
      for (int i = 0; i < count; i++) {
        long t0 = System.nanoTime();
        requester.request("echo", payload, Duration.ofSeconds(5));
        h.recordValue((System.nanoTime() - t0) / 1000);
      }
    }
  }

  /** Messages per second a subscriber on {@code subUrl} receives from a publisher on pubUrl. */
  private static double throughput(String pubUrl, String subUrl, int count) {
    CountDownLatch done = new CountDownLatch(1);
    AtomicLong first = new AtomicLong();
    AtomicLong got = new AtomicLong();
    try (NatsBroker sub = NatsBroker.connect(BrokerOptions.of(subUrl));
        NatsBroker pub = NatsBroker.connect(BrokerOptions.of(pubUrl))) {
      sub.subscribe(
          "tp",
          m -> {
            long c = got.incrementAndGet();
            if (c == 1) {
              first.set(System.nanoTime());
            } else if (c == count) {
              done.countDown();
            }
          });
      sub.flush(Duration.ofSeconds(5));
      byte[] payload = new byte[128];
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        pub.publish("tp", payload);
      }
      pub.flush(Duration.ofSeconds(30));
      if (!done.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("only " + got.get() + " of " + count + " messages arrived");
      }
      return count / ((System.nanoTime() - t0) / 1e9);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
