package dev.natsproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Everything one run left in a folder: fan-out results ({@code fanout-*.json}), their {@code .hlog}
 * interval logs, the JMH JSON ({@code jmh.json}), capacity searches ({@code capacity-*.json}) and
 * chaos verdicts ({@code **}{@code /verdict.json} with {@code history.jsonl} beside them). The runs
 * a capacity search made on its way ({@value #CAPACITY_ATTEMPTS}) are not runs of their own: most
 * are meant to fail, and they are skipped. Files are read as JSON trees: reports depends on no
 * other module, only on the files' shape.
 */
public final class Results {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The folder where a capacity search keeps its attempts' own result files. */
  static final String CAPACITY_ATTEMPTS = "capacity-attempts";

  /** One fan-out run. */
  public record FanOut(String workload, String client, JsonNode json, Path file) {
    long latency(String field) {
      return json.path("latency").path(field).asLong();
    }

    long hiccup(String field) {
      return json.path("hiccup").path(field).asLong();
    }

    long num(String field) {
      return json.path(field).asLong();
    }

    JsonNode provenance() {
      return json.path("provenance");
    }
  }

  /** One JetStream end-to-end run at a fixed rate ({@code stream-e2e-*.json}). */
  public record StreamRun(String name, JsonNode json, Path file) {
    long num(String field) {
      return json.path(field).asLong();
    }

    long endToEnd(String field) {
      return json.path("endToEnd").path(field).asLong();
    }

    long enqueue(String field) {
      return json.path("enqueue").path(field).asLong();
    }

    long hiccup(String field) {
      return json.path("hiccup").path(field).asLong();
    }

    String error() {
      JsonNode e = json.path("error");
      return e.isMissingNode() || e.isNull() ? null : e.asText();
    }
  }

  /** One capacity search ({@code capacity-<client>.json}). */
  public record Capacity(String client, JsonNode json, Path file) {
    long num(String field) {
      return json.path(field).asLong();
    }
  }

  /** One chaos run's verdict. */
  public record Chaos(String suite, String run, JsonNode json, Path dir) {
    String status() {
      return json.path("status").asText("MISSING");
    }

    long count(String key) {
      return json.path("counts").path(key).asLong(0);
    }

    boolean lossAllowed() {
      return json.path("expectation").asText("").startsWith("loss allowed");
    }

    long worstRecoveryMillis() {
      long worst = -1;
      for (JsonNode n : json.path("restartToFirstAckMs")) {
        worst = Math.max(worst, n.asLong());
      }
      return worst;
    }
  }

  /** One JMH benchmark result. */
  public record Jmh(
      String benchmark, Map<String, String> params, double score, double error, String unit) {
    String label() {
      return benchmark + (params.isEmpty() ? "" : " " + params);
    }
  }

  private final Path dir;
  private final List<FanOut> fanOuts;
  private final List<Chaos> chaos;
  private final List<Jmh> jmh;
  private final List<StreamRun> streams;
  private final List<Capacity> capacity;
  private final Map<String, Histogram> hlogs;

  private Results(
      Path dir,
      List<FanOut> f,
      List<StreamRun> st,
      List<Capacity> cap,
      List<Chaos> c,
      List<Jmh> j,
      Map<String, Histogram> h) {
    this.dir = dir;
    this.fanOuts = f;
    this.streams = st;
    this.capacity = cap;
    this.chaos = c;
    this.jmh = j;
    this.hlogs = h;
  }

  public static Results read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ReportException(
          "results folder "
              + dir
              + " does not exist: run ./natsproof main (or the chaos suites) first");
    }
    List<FanOut> fanOuts = new ArrayList<>();
    List<Chaos> chaos = new ArrayList<>();
    List<Jmh> jmh = new ArrayList<>();
    List<StreamRun> streams = new ArrayList<>();
    List<Capacity> capacity = new ArrayList<>();
    Map<String, Histogram> hlogs = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(f -> !underCapacityAttempts(dir.relativize(f)))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new ReportException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.matches("fanout-.*\\.json")) {
        JsonNode n = tree(f);
        require(n, f, "workload", "latency", "deliveries", "expectedDeliveries");
        fanOuts.add(
            new FanOut(n.path("workload").path("name").asText(), n.path("variant").asText(), n, f));
      } else if (name.matches("stream-e2e-.*\\.json")) {
        JsonNode n = tree(f);
        require(n, f, "options", "endToEnd", "acked", "delivered", "missingAcked");
        streams.add(new StreamRun(name.replaceFirst("\\.json$", ""), n, f));
      } else if (name.matches("capacity-.*\\.json")) {
        JsonNode n = tree(f);
        require(n, f, "client", "largestPassingRooms", "attempts", "gateP99Micros");
        capacity.add(new Capacity(n.path("client").asText(), n, f));
      } else if (name.equals("verdict.json")) {
        JsonNode n = tree(f);
        require(n, f, "suite", "run", "status");
        chaos.add(new Chaos(n.path("suite").asText(), n.path("run").asText(), n, f.getParent()));
      } else if (name.equals("jmh.json")) {
        JsonNode n = tree(f);
        if (!n.isArray()) {
          throw new ReportException(f + " is not a JMH JSON result (expected an array)");
        }
        for (JsonNode b : n) {
          Map<String, String> params = new TreeMap<>();
          b.path("params")
              .fields()
              .forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
          jmh.add(
              new Jmh(
                  b.path("benchmark").asText().replaceAll(".*\\.(\\w+\\.\\w+)$", "$1"),
                  params,
                  b.path("primaryMetric").path("score").asDouble(),
                  b.path("primaryMetric").path("scoreError").asDouble(),
                  b.path("primaryMetric").path("scoreUnit").asText()));
        }
      } else if (name.endsWith(".hlog")) {
        hlogs.put(name.replaceFirst("\\.hlog$", ""), readHlog(f));
      }
    }
    return new Results(dir, fanOuts, streams, capacity, chaos, jmh, hlogs);
  }

  /** Whether a folder on the way to {@code relative} is a capacity search's attempts folder. */
  static boolean underCapacityAttempts(Path relative) {
    for (int i = 0; i < relative.getNameCount() - 1; i++) {
      if (relative.getName(i).toString().equals(CAPACITY_ATTEMPTS)) {
        return true;
      }
    }
    return false;
  }

  private static void require(JsonNode n, Path f, String... fields) {
    for (String field : fields) {
      if (n.path(field).isMissingNode()) {
        throw new ReportException(
            f + " has no '" + field + "': not a natsproof result file (or from an older version)");
      }
    }
  }

  static JsonNode tree(Path f) {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      throw new ReportException(f + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** All intervals of an HdrHistogram log added together. */
  static Histogram readHlog(Path f) {
    try {
      HistogramLogReader r = new HistogramLogReader(f.toFile());
      Histogram total = new Histogram(3);
      org.HdrHistogram.EncodableHistogram h;
      int intervals = 0;
      while ((h = r.nextIntervalHistogram()) != null) {
        if (h instanceof Histogram hh) {
          total.add(hh);
        } else {
          throw new ReportException(
              f + " holds a non-integer histogram; natsproof logs integer microseconds");
        }
        intervals++;
      }
      r.close();
      if (intervals == 0) {
        throw new ReportException(f + " holds no interval: the run recorded nothing");
      }
      return total;
    } catch (IOException e) {
      throw new ReportException("cannot read " + f + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (e instanceof ReportException re) {
        throw re;
      }
      throw new ReportException(f + " is not an HdrHistogram log: " + e.getMessage(), e);
    }
  }

  /** Per-interval series of an .hlog: start seconds, p99 and max in microseconds. */
  static List<double[]> hlogSeries(Path f) {
    List<double[]> out = new ArrayList<>();
    try {
      HistogramLogReader r = new HistogramLogReader(f.toFile());
      org.HdrHistogram.EncodableHistogram h;
      double t0 = -1;
      while ((h = r.nextIntervalHistogram()) != null) {
        Histogram hh = (Histogram) h;
        double start = hh.getStartTimeStamp() / 1000.0;
        if (t0 < 0) {
          t0 = start;
        }
        out.add(new double[] {start - t0, hh.getValueAtPercentile(99), hh.getMaxValue()});
      }
      r.close();
    } catch (IOException e) {
      throw new ReportException("cannot read " + f + ": " + e.getMessage(), e);
    }
    return out;
  }

  public Path dir() {
    return dir;
  }

  public List<FanOut> fanOuts() {
    return fanOuts;
  }

  public List<Chaos> chaos() {
    return chaos;
  }

  public List<StreamRun> streams() {
    return streams;
  }

  public List<Capacity> capacity() {
    return capacity;
  }

  public List<Jmh> jmh() {
    return jmh;
  }

  public Map<String, Histogram> hlogs() {
    return hlogs;
  }

  public boolean isEmpty() {
    return fanOuts.isEmpty()
        && streams.isEmpty()
        && capacity.isEmpty()
        && chaos.isEmpty()
        && jmh.isEmpty();
  }
}
