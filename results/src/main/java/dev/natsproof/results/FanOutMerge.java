package dev.natsproof.results;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Adds up the fan-out runs of load-generator processes that each ran one shard of the rooms ({@code
 * --shard INDEX/COUNT}) against one server: counts are summed, latency and publisher lateness come
 * from the shards' interval logs added exactly (never percentiles averaged), CPU per delivery is
 * weighted by deliveries, and the hiccup control is the worst shard's (each is its own machine).
 * Every shard of the count must be there, once.
 */
public final class FanOutMerge {
  private static final Pattern SHARD = Pattern.compile(" shard (\\d+)/(\\d+)$");

  private FanOutMerge() {}

  /** The merged runs, one per workload and client found in the parts, written into {@code out}. */
  public static List<FanOutRun> merge(List<Path> parts, Path out) {
    if (parts.size() < 2) {
      throw new IllegalArgumentException(
          "merge needs the folders of 2 or more shards, got " + parts);
    }
    Map<String, List<Located>> groups = new LinkedHashMap<>();
    for (Path p : parts) {
      RunResults r = ResultsDir.at(p).read();
      if (r.fanOuts().isEmpty()) {
        throw new IllegalArgumentException(p + " holds no fan-out run to merge");
      }
      for (FanOutRun f : r.fanOuts()) {
        groups
            .computeIfAbsent(f.workload().name() + "|" + f.client(), k -> new ArrayList<>())
            .add(new Located(f, r));
      }
    }
    List<FanOutRun> merged = new ArrayList<>();
    ResultsDir dir = ResultsDir.at(out);
    for (List<Located> g : groups.values()) {
      FanOutRun m = mergeGroup(g, out);
      dir.write(m);
      merged.add(m);
    }
    return merged;
  }

  private record Located(FanOutRun run, RunResults results) {}

  private static FanOutRun mergeGroup(List<Located> g, Path out) {
    FanOutRun first = g.get(0).run();
    String name = first.workload().name();
    FanOutClient client = first.client();
    TreeSet<Integer> indexes = new TreeSet<>();
    int count = -1;
    for (Located l : g) {
      Matcher m = SHARD.matcher(l.run().provenance().workload());
      if (!m.find()) {
        throw new IllegalArgumentException(
            name
                + " "
                + client
                + " in "
                + l.results().dir()
                + " is not a shard's run (no --shard)");
      }
      int c = Integer.parseInt(m.group(2));
      if (count >= 0 && c != count) {
        throw new IllegalArgumentException(
            "shards of " + name + " disagree on their count: " + count + " and " + c);
      }
      count = c;
      if (!indexes.add(Integer.parseInt(m.group(1)))) {
        throw new IllegalArgumentException(
            "shard " + m.group(1) + "/" + c + " of " + name + " twice");
      }
    }
    if (indexes.size() != count) {
      throw new IllegalArgumentException(
          "merge needs every shard of "
              + name
              + " "
              + client
              + ": got "
              + indexes
              + " of "
              + count);
    }
    Histogram latency = new Histogram(3);
    Histogram lateness = new Histogram(3);
    long published = 0;
    long expected = 0;
    long deliveries = 0;
    long missing = 0;
    long replaced = 0;
    long slow = 0;
    long dropped = 0;
    double clientCpu = 0;
    double serverCpu = 0;
    boolean serverKnown = true;
    double rate = 0;
    List<String> errors = new ArrayList<>();
    List<String> remeasured = new ArrayList<>();
    for (Located l : g) {
      FanOutRun f = l.run();
      published += f.framesPublished();
      expected += f.expectedDeliveries();
      deliveries += f.deliveries();
      missing += f.missingDeliveries();
      replaced += f.framesReplaced();
      slow += f.slowConsumerEvents();
      dropped += f.droppedMessages();
      clientCpu += f.clientCpuNanosPerDelivery() * f.deliveries();
      serverKnown &= f.serverCpuNanosPerDelivery() >= 0;
      serverCpu += f.serverCpuNanosPerDelivery() * f.deliveries();
      rate += f.achievedDeliveriesPerSecond();
      if (f.error() != null) {
        errors.add(f.error());
      }
      remeasured.addAll(f.remeasured());
      add(latency, log(l, ResultsDir.fanOutLatencyLog(name, client)));
      add(lateness, log(l, ResultsDir.fanOutLatenessLog(name, client)));
    }
    writeLog(latency, out.resolve(ResultsDir.fanOutLatencyLog(name, client)));
    Percentiles hiccup =
        g.stream()
            .map(l -> l.run().hiccup())
            .max(Comparator.comparingLong(Percentiles::p99Micros))
            .orElse(Percentiles.EMPTY);
    Percentiles age =
        g.stream()
            .map(l -> l.run().frameAgeAtHandler())
            .max(Comparator.comparingLong(Percentiles::p99Micros))
            .orElse(Percentiles.EMPTY);
    Provenance p = first.provenance();
    Provenance merged =
        new Provenance(
            p.natsServerVersion(),
            p.natsServerUrl(),
            p.embeddedServer(),
            p.jetStreamSync(),
            p.jnatsVersion(),
            p.jdk(),
            p.cpuCount(),
            p.gitCommit(),
            p.date(),
            name + " merged from " + count + " shards");
    return new FanOutRun(
        first.workload(),
        merged,
        client,
        published,
        expected,
        deliveries,
        missing,
        replaced,
        age,
        Percentiles.of(latency),
        Percentiles.of(lateness),
        hiccup,
        slow,
        dropped,
        deliveries == 0 ? 0 : clientCpu / deliveries,
        serverKnown && deliveries > 0 ? serverCpu / deliveries : -1,
        rate,
        errors.isEmpty() ? null : String.join("; ", errors),
        remeasured);
  }

  private static Path log(Located l, String name) {
    return l.results()
        .intervalLog(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    l.results().dir()
                        + " has no "
                        + name
                        + ": merging percentiles needs each shard's interval log"));
  }

  private static void add(Histogram into, Path hlog) {
    try {
      HistogramLogReader r = new HistogramLogReader(hlog.toFile());
      EncodableHistogram e;
      while ((e = r.nextIntervalHistogram()) != null) {
        if (e instanceof Histogram h) {
          into.add(h);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + hlog, e);
    }
  }

  private static void writeLog(Histogram h, Path file) {
    try {
      Files.createDirectories(file.getParent());
      try (PrintStream ps = new PrintStream(Files.newOutputStream(file))) {
        HistogramLogWriter w = new HistogramLogWriter(ps);
        w.outputLogFormatVersion();
        w.outputLegend();
        h.setStartTimeStamp(0);
        h.setEndTimeStamp(1000);
        w.outputIntervalHistogram(h);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
