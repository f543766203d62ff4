package dev.natsproof.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsers, gates (with negative controls), report and comparison, on fixture files. */
class ReportsTest {
  private static Path fixture;

  /**
   * The fixture run: hand-made chaos verdicts and history from the resources, plus benchmark
   * results and interval logs written here in the shapes the benchmarks write (a recorded run's
   * output stays out of git): five one-second intervals per log.
   */
  static synchronized Path fixture() throws Exception {
    if (fixture == null) {
      Path src = Path.of(ReportsTest.class.getResource("/fixtures/run").toURI());
      Path dir = Files.createTempDirectory("natsproof-fixture-run");
      copyTree(src, dir);
      for (String client : List.of("broker", "raw-jnats")) {
        writeHlog(
            dir.resolve("rooms-100x10-30hz-200b-" + client + "-fanout-latency.hlog"), 200, 8_000);
        writeHlog(dir.resolve("rooms-100x10-30hz-200b-" + client + "-hiccup.hlog"), 20, 500);
      }
      writeFanOut(dir, "broker", 326, 3817, 8_000, 499);
      writeFanOut(dir, "raw-jnats", 285, 3809, 12_591, 368);
      writeJmh(dir.resolve("jmh.json"));
      writeHlog(dir.resolve("stream-e2e-1000ps-async-ack-r3-latency.hlog"), 400, 12_000);
      writeStreamRun(dir.resolve("stream-e2e-1000ps-async-ack-r3.json"));
      fixture = dir;
    }
    return fixture;
  }

  /** A fan-out result in the scenario's shape: 60,000 deliveries, all present. */
  private static void writeFanOut(
      Path dir, String client, long p50, long p99, long max, long hiccupP99) throws IOException {
    String workload = "rooms-100x10-30hz-200b";
    ObjectNode n = Results.JSON.createObjectNode();
    n.putObject("workload")
        .put("name", workload)
        .put("rooms", 100)
        .put("playersPerRoom", 10)
        .put("hz", 30)
        .put("gateP99Micros", 10_000);
    n.putObject("provenance")
        .put("natsServerVersion", "2.9.10")
        .put("jnatsVersion", "2.26.2")
        .put("cpuCount", 2)
        .put("workload", workload);
    n.put("variant", client).put("framesPublished", 6000);
    n.put("expectedDeliveries", 60_000).put("deliveries", 60_000).put("missingDeliveries", 0);
    percentiles(n.putObject("latency"), 60_000, p50, p99, max);
    percentiles(n.putObject("publisherLateness"), 6000, 90, 1000, 5000);
    percentiles(n.putObject("hiccup"), 930, 90, hiccupP99, 4000);
    n.put("clientCpuNanosPerDelivery", 15_000.0).putNull("error");
    Results.JSON.writeValue(dir.resolve("fanout-" + workload + "-" + client + ".json").toFile(), n);
  }

  /** A JMH result file with each suite's benchmarks (JMH's JSON shape, fields the reports read). */
  private static void writeJmh(Path file) throws IOException {
    com.fasterxml.jackson.databind.node.ArrayNode a = Results.JSON.createArrayNode();
    String jmh = "dev.natsproof.benchmarks.jmh.";
    for (String client : List.of("broker", "raw-jnats")) {
      for (String mode : List.of("sync", "async")) {
        double score = (mode.equals("sync") ? 3500 : 25_000) * (client.equals("broker") ? 0.98 : 1);
        jmhEntry(a, jmh + "EnqueueBenchmark.enqueue", "thrpt", score, "ops/s")
            .put("client", client)
            .put("mode", mode);
      }
    }
    for (String client : List.of("broker-ack", "broker-ackSync", "raw-jnats-ack")) {
      double us = client.equals("broker-ackSync") ? 214 : 30;
      jmhEntry(a, jmh + "ConsumeBenchmark.consume", "ss", us, "us/op").put("client", client);
    }
    jmhEntry(a, jmh + "PlayerCommandBenchmark.commands", "ss", 1.03, "s/op").put("rate", "2000");
    for (String client : List.of("broker", "raw-jnats")) {
      jmhEntry(a, jmh + "RoomFanOutBenchmark.fanOut", "ss", 5.6, "s/op")
          .put("client", client)
          .put("workload", "rooms-100x10-30hz-200b");
    }
    Results.JSON.writeValue(file.toFile(), a);
  }

  /** Adds one benchmark result; returns its params for the caller to fill. */
  private static ObjectNode jmhEntry(
      com.fasterxml.jackson.databind.node.ArrayNode a,
      String benchmark,
      String mode,
      double score,
      String unit) {
    ObjectNode b = a.addObject().put("benchmark", benchmark).put("mode", mode);
    b.putObject("primaryMetric")
        .put("score", score)
        .put("scoreError", Double.NaN)
        .put("scoreUnit", unit);
    return b.putObject("params");
  }

  /** A JetStream end-to-end result in the scenario's shape: 10,000 acked, all delivered. */
  private static void writeStreamRun(Path file) throws IOException {
    ObjectNode n = Results.JSON.createObjectNode();
    ObjectNode o = n.putObject("options");
    o.put("ratePerSecond", 1000).put("enqueue", "async").put("ack", "ack").put("replicas", 3);
    n.putObject("provenance").put("natsServerVersion", "2.9.10").put("embeddedServer", true);
    n.put("acked", 10_000).put("delivered", 10_000).put("missingAcked", 0);
    n.put("duplicateDeliveries", 0).put("notAcked", 0);
    percentiles(n.putObject("endToEnd"), 10_000, 915, 5503, 12_143);
    percentiles(n.putObject("enqueue"), 10_000, 900, 5303, 10_775);
    percentiles(n.putObject("hiccup"), 8045, 83, 1205, 4651);
    n.put("achievedPerSecond", 1000.0).putNull("error");
    Results.JSON.writeValue(file.toFile(), n);
  }

  private static void percentiles(ObjectNode p, long count, long p50, long p99, long max) {
    p.put("count", count).put("p50Micros", p50).put("p90Micros", (p50 + p99) / 2);
    p.put("p99Micros", p99).put("p999Micros", (p99 + max) / 2).put("maxMicros", max);
  }

  private static void writeHlog(Path file, long fromMicros, long toMicros) throws IOException {
    org.HdrHistogram.HistogramLogWriter w = new org.HdrHistogram.HistogramLogWriter(file.toFile());
    long start = 1_790_000_000_000L;
    w.outputStartTime(start);
    w.outputLegend();
    for (int i = 0; i < 5; i++) {
      org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
      for (int v = 0; v < 2_000; v++) {
        h.recordValue(fromMicros + (toMicros - fromMicros) * v / 1_999);
      }
      h.setStartTimeStamp(start + i * 1000L);
      h.setEndTimeStamp(start + (i + 1) * 1000L);
      w.outputIntervalHistogram(h);
    }
    w.close();
  }

  private static void copyTree(Path src, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  /** A writable copy of the fixture run. */
  static Path copy(Path to) throws Exception {
    copyTree(fixture(), to);
    return to;
  }

  static void edit(Path json, String field, long value) throws IOException {
    ObjectNode n = (ObjectNode) Results.JSON.readTree(json.toFile());
    String[] path = field.split("\\.");
    ObjectNode at = n;
    for (int i = 0; i < path.length - 1; i++) {
      at = (ObjectNode) at.get(path[i]);
    }
    at.put(path[path.length - 1], value);
    Results.JSON.writeValue(json.toFile(), n);
  }

  static String verdictOf(List<GateResult> gates, String gatePart) {
    return gates.stream()
        .filter(g -> g.gate().contains(gatePart))
        .findFirst()
        .orElseThrow()
        .verdict();
  }

  // ---------------------------------------------------------------- parsing

  @Test
  @DisplayName("JetStream end to end: lossless passes; a missing, an unacked or a failed run FAILs")
  void streamGate(@TempDir Path dir) throws Exception {
    assertEquals(GateResult.PASS, streamVerdict(fixture()));
    assertEquals(GateResult.FAIL, streamVerdict(streamEdited(dir, "missingAcked", 3)));
    assertEquals(GateResult.FAIL, streamVerdict(streamEdited(dir, "delivered", 9_990)));
    assertEquals(GateResult.FAIL, streamVerdict(streamEdited(dir, "notAcked", 1)));
    Path empty = streamEdited(dir, "acked", 0);
    edit(empty.resolve("stream-e2e-1000ps-async-ack-r3.json"), "delivered", 0);
    assertEquals(GateResult.FAIL, streamVerdict(empty), "nothing acked is not a pass");
  }

  /** A copy of the fixture whose JetStream run has one field changed. */
  private static Path streamEdited(Path dir, String field, long value) throws Exception {
    Path run = copy(dir.resolve(field + "-" + value));
    edit(run.resolve("stream-e2e-1000ps-async-ack-r3.json"), field, value);
    return run;
  }

  private static String streamVerdict(Path run) {
    return verdictOf(
        GateEvaluator.evaluate(Results.read(run), Gates.defaults()),
        "JetStream stream-e2e-1000ps-async-ack-r3 lossless");
  }

  @Test
  @DisplayName("a run folder is read: fan-outs, interval logs, JMH results, chaos verdicts")
  void readsEverything() throws Exception {
    Results r = Results.read(fixture());
    assertEquals(2, r.fanOuts().size());
    assertEquals(5, r.hlogs().size());
    assertEquals(1, r.streams().size());
    assertEquals(2, r.chaos().size());
    assertTrue(r.jmh().size() >= 10);
    assertTrue(
        r.hlogs().get("rooms-100x10-30hz-200b-broker-fanout-latency").getTotalCount() > 1000);
  }

  @Test
  @DisplayName("a missing folder says to run the job first")
  void missingFolder(@TempDir Path dir) {
    ReportException e =
        assertThrows(ReportException.class, () -> Results.read(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("./natsproof main"), e.getMessage());
  }

  @Test
  @DisplayName("malformed JSON, a foreign JSON and a broken .hlog are named in the error")
  void malformed(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("fanout-x.json"), "{ not json");
    ReportException e = assertThrows(ReportException.class, () -> Results.read(dir));
    assertTrue(e.getMessage().contains("fanout-x.json"), e.getMessage());
    Files.writeString(dir.resolve("fanout-x.json"), "{\"hello\": 1}");
    e = assertThrows(ReportException.class, () -> Results.read(dir));
    assertTrue(e.getMessage().contains("not a natsproof result"), e.getMessage());
    Files.delete(dir.resolve("fanout-x.json"));
    Files.writeString(dir.resolve("x.hlog"), "garbage\n1,2,3\n");
    assertThrows(ReportException.class, () -> Results.read(dir));
  }

  @Test
  @DisplayName("the gates file is strict: an unknown key or a negative number is an error")
  void gatesFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("gates.yaml");
    Files.writeString(f, "fanoutP99Micros: 5000\nchaosLost: 0\n");
    assertEquals(5000, Gates.parse(f).fanoutP99Micros());
    Files.writeString(f, "fanoutP99Micro: 5000\n");
    assertTrue(
        assertThrows(ReportException.class, () -> Gates.parse(f))
            .getMessage()
            .contains("fanoutP99Micro"));
    Files.writeString(f, "chaosLost: -1\n");
    assertThrows(ReportException.class, () -> Gates.parse(f));
    assertThrows(ReportException.class, () -> Gates.parse(dir.resolve("missing.yaml")));
  }

  // ---------------------------------------------------------------- gates

  @Test
  @DisplayName("the fixture run passes every gate; the allowed truncation loss is INFO")
  void fixturePasses() throws Exception {
    List<GateResult> g = GateEvaluator.evaluate(Results.read(fixture()), Gates.defaults());
    assertEquals(0, GateEvaluator.exitCode(g), g.toString());
    assertEquals(GateResult.INFO, verdictOf(g, "truncation"));
  }

  @Test
  @DisplayName("negative control: a p99 over the limit FAILs")
  void p99Fails() throws Exception {
    Gates strict = new Gates(1000, 1000, 0, 0, 0, 15000, 10);
    List<GateResult> g = GateEvaluator.evaluate(Results.read(fixture()), strict);
    assertEquals(GateResult.FAIL, verdictOf(g, "(broker) p99"));
    assertEquals(1, GateEvaluator.exitCode(g));
  }

  @Test
  @DisplayName(
      "negative control: a missing delivery FAILs; a stalled hiccup control makes p99 UNKNOWN")
  void deliveriesAndHiccup(@TempDir Path dir) throws Exception {
    copy(dir);
    Path f = dir.resolve("fanout-rooms-100x10-30hz-200b-broker.json");
    edit(f, "deliveries", 59_999);
    edit(f, "hiccup.p99Micros", 5_000);
    List<GateResult> g = GateEvaluator.evaluate(Results.read(dir), Gates.defaults());
    assertEquals(GateResult.FAIL, verdictOf(g, "(broker) deliveries"));
    assertEquals(GateResult.UNKNOWN, verdictOf(g, "(broker) p99"));
  }

  @Test
  @DisplayName("negative control: a chaos run with a lost value, or an UNKNOWN verdict, blocks")
  void chaosBlocks(@TempDir Path dir) throws Exception {
    copy(dir);
    Path v = dir.resolve("chaos/server-kill/kill9/verdict.json");
    edit(v, "counts.lost", 1);
    assertEquals(
        1, GateEvaluator.exitCode(GateEvaluator.evaluate(Results.read(dir), Gates.defaults())));
    // A run that analysed its loss: the blocking gate line carries the analysis.
    ObjectNode withAnalysis = (ObjectNode) Results.JSON.readTree(v.toFile());
    ObjectNode a = withAnalysis.putObject("postMortem").putObject("lostAnalysis");
    a.put("lost", 1).putObject("lostByProcess").put("w0", 1);
    a.put("lostAckedSequences", "7..7");
    a.put("lostSequenceDeliveredHoldingAnotherValue", 1);
    a.put("lostSequenceNeverDelivered", 0);
    a.put("otherWritersInThatWindow", "3 acked, 3 of them delivered");
    Results.JSON.writeValue(v.toFile(), withAnalysis);
    GateResult lostGate =
        GateEvaluator.evaluate(Results.read(dir), Gates.defaults()).stream()
            .filter(x -> x.gate().contains("kill9 lost"))
            .findFirst()
            .orElseThrow();
    assertEquals(GateResult.FAIL, lostGate.verdict());
    assertTrue(
        lostGate.detail().contains("{\"w0\":1}, acked as sequences 7..7 (1 came back holding"),
        lostGate.detail());
    edit(v, "counts.lost", 0);
    ObjectNode n = (ObjectNode) Results.JSON.readTree(v.toFile());
    n.put("status", "UNKNOWN");
    Results.JSON.writeValue(v.toFile(), n);
    List<GateResult> g = GateEvaluator.evaluate(Results.read(dir), Gates.defaults());
    assertEquals(GateResult.UNKNOWN, verdictOf(g, "kill9 verdict"));
    assertEquals(2, GateEvaluator.exitCode(g));
  }

  @Test
  @DisplayName("negative control: an empty folder is UNKNOWN, not a pass")
  void emptyIsUnknown(@TempDir Path dir) {
    assertEquals(
        2, GateEvaluator.exitCode(GateEvaluator.evaluate(Results.read(dir), Gates.defaults())));
  }

  // ---------------------------------------------------------------- report, compare

  @Test
  @DisplayName("the report renders HTML with its plots, Markdown and JSON")
  void renders(@TempDir Path out) throws Exception {
    Report.write(Results.read(fixture()), Gates.defaults(), out);
    String html = Files.readString(out.resolve("report.html"));
    long plots = html.split("<img class=\"plot\"", -1).length - 1;
    assertTrue(plots >= 5, "plots: " + plots);
    assertTrue(html.contains("data:image/png;base64,"));
    assertTrue(html.contains("Chaos matrix") && html.contains("server-kill/kill9"));
    assertTrue(html.contains("Provenance") && html.contains("2.9.10"));
    assertTrue(html.contains("JetStream end to end") && html.contains("stream-e2e-1000ps"));
    assertFalse(html.contains("http://") || html.contains("https://"), "no network references");
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| gate | verdict | detail |") && md.contains("Overall: **PASS**"), md);
    assertTrue(Files.size(out.resolve("report.json")) > 1000);
  }

  /**
   * A capacity search in CapacitySearch's shape (1025 and 1537 rooms pass, 1793 fails), with one of
   * its attempts' own fan-out files, a failing one, under capacity-attempts.
   */
  private static void writeCapacity(Path dir) throws IOException {
    ObjectNode n = Results.JSON.createObjectNode();
    n.put("client", "broker").put("playersPerRoom", 10).put("hz", 30).put("payloadBytes", 200);
    n.put("gateP99Micros", 10_000).put("durationSeconds", 10).put("lo", 50).put("hi", 2000);
    n.put("largestPassingRooms", 1537);
    var attempts = n.putArray("attempts");
    long[][] tried = {{1025, 2_100}, {1537, 4_200}, {1793, 12_500}};
    for (long[] t : tried) {
      attempts
          .addObject()
          .put("rooms", t[0])
          .put("verdict", t[1] <= 10_000 ? "PASS" : "FAIL")
          .put("reason", "p99 " + t[1] + " µs")
          .put("p99Micros", t[1])
          .put("hiccupP99Micros", 400)
          .put("deliveries", t[0] * 3000)
          .put("expectedDeliveries", t[0] * 3000)
          .put("clientCpuNanosPerDelivery", 1100.0)
          .put("tries", 1);
    }
    Files.createDirectories(dir);
    Results.JSON.writeValue(dir.resolve("capacity-broker.json").toFile(), n);
    Path own = Files.createDirectories(dir.resolve(Results.CAPACITY_ATTEMPTS));
    writeFanOut(own, "broker", 5_000, 12_500, 30_000, 450);
  }

  @Test
  @DisplayName(
      "a capacity search is read and shown as INFO; its attempts' own runs, most meant to fail, are"
          + " not judged")
  void capacity(@TempDir Path dir) throws Exception {
    writeCapacity(dir);
    Results r = Results.read(dir);
    assertEquals(1, r.capacity().size());
    assertTrue(r.fanOuts().isEmpty(), "an attempt is not a run of its own");
    // Only a folder named exactly so is skipped, not one whose name merely contains it.
    assertTrue(Results.underCapacityAttempts(Path.of("capacity-attempts", "fanout-x.json")));
    assertFalse(Results.underCapacityAttempts(Path.of("capacity-attempts-old", "fanout-x.json")));
    assertFalse(Results.underCapacityAttempts(Path.of("fanout-capacity-attempts.json")));
    List<GateResult> gates = Report.write(r, Gates.defaults(), dir.resolve("report"));
    assertEquals(GateResult.INFO, verdictOf(gates, "capacity (broker)"));
    assertEquals(0, GateEvaluator.exitCode(gates), gates.toString());
    String html = Files.readString(dir.resolve("report/report.html"));
    assertTrue(html.contains("Capacity at the latency SLO"), html);
    assertTrue(html.contains("largest passing room count 1537"), html);
    assertFalse(html.contains("the capacity is higher"), "1537 is below the upper bound");
    assertTrue(html.contains("<td>1793</td><td>FAIL</td>"), html);
    String md = Files.readString(dir.resolve("report/report.md"));
    assertTrue(md.contains("| 1793 | FAIL | 12.50 |"), md);

    // The skipped attempt would fail if it were judged: the skip is what keeps it out.
    Results own = Results.read(dir.resolve(Results.CAPACITY_ATTEMPTS));
    assertEquals(
        GateResult.FAIL, verdictOf(GateEvaluator.evaluate(own, Gates.defaults()), "(broker) p99"));

    edit(dir.resolve("capacity-broker.json"), "largestPassingRooms", 2000);
    assertTrue(
        Report.capacityHeadline(Results.read(dir).capacity().get(0))
            .contains("the capacity is higher"),
        "an answer at the upper bound is a lower bound of the capacity");

    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("capacity-broker.json"), "{\"client\":\"broker\"}");
    ReportException e = assertThrows(ReportException.class, () -> Results.read(broken));
    assertTrue(e.getMessage().contains("largestPassingRooms"), e.getMessage());
  }

  @Test
  @DisplayName("JMH time-per-op units convert to seconds; an unknown unit is not guessed")
  void timeUnits() {
    assertEquals(1e-6, Report.secondsPer("us/op"));
    assertEquals(1.0, Report.secondsPer("s/op"));
    assertEquals(0.0, Report.secondsPer("ops/s"));
  }

  @Test
  @DisplayName("comparing a run with itself finds no regression")
  void compareSame() throws Exception {
    Results r = Results.read(fixture());
    List<Compare.Row> rows = Compare.compare(r, r, 10);
    assertTrue(rows.size() > 10);
    assertFalse(Compare.regressed(rows));
  }

  @Test
  @DisplayName(
      "negative control: a candidate with double the p99 or a worse chaos verdict regresses")
  void compareRegression(@TempDir Path dir) throws Exception {
    copy(dir.resolve("cand"));
    Path f = dir.resolve("cand/fanout-rooms-100x10-30hz-200b-broker.json");
    long p99 = Results.JSON.readTree(f.toFile()).path("latency").path("p99Micros").asLong();
    edit(f, "latency.p99Micros", p99 * 2);
    List<Compare.Row> rows =
        Compare.compare(Results.read(fixture()), Results.read(dir.resolve("cand")), 10);
    assertTrue(Compare.regressed(rows));
    assertEquals(
        "REGRESSION",
        rows.stream()
            .filter(r -> r.metric().endsWith("broker p99Micros"))
            .findFirst()
            .orElseThrow()
            .verdict());
    Compare.write(
        rows, Results.read(fixture()), Results.read(dir.resolve("cand")), 10, dir.resolve("out"));
    assertTrue(Files.readString(dir.resolve("out/compare.md")).contains("REGRESSION"));
  }

  @Test
  @DisplayName("negative control: a JetStream candidate with double the end-to-end p99 regresses")
  void compareStreamRegression(@TempDir Path dir) throws Exception {
    copy(dir.resolve("cand"));
    Path f = dir.resolve("cand/stream-e2e-1000ps-async-ack-r3.json");
    long p99 = Results.JSON.readTree(f.toFile()).path("endToEnd").path("p99Micros").asLong();
    edit(f, "endToEnd.p99Micros", p99 * 2);
    List<Compare.Row> rows =
        Compare.compare(Results.read(fixture()), Results.read(dir.resolve("cand")), 10);
    assertEquals(
        "REGRESSION",
        rows.stream()
            .filter(r -> r.metric().endsWith("endToEnd p99Micros"))
            .findFirst()
            .orElseThrow()
            .verdict());
    assertTrue(Compare.regressed(rows));
  }

  @Test
  @DisplayName("the command line answers 3 with a clear message for bad input")
  void cli(@TempDir Path dir) {
    assertEquals(3, ReportMain.run(new String[] {"report", dir.resolve("nope").toString()}));
    assertEquals(3, ReportMain.run(new String[] {"frobnicate"}));
  }

  @Test
  @DisplayName("a negative control passes its gate only when its run was caught as FAIL")
  void negativeControlGate(@TempDir Path dir) throws Exception {
    copy(dir);
    Path v = dir.resolve("chaos/server-kill/kill9/verdict.json");
    ObjectNode n = (ObjectNode) Results.JSON.readTree(v.toFile());
    n.put("run", "negative-lying-broker");
    n.put("status", "FAIL");
    Results.JSON.writeValue(v.toFile(), n);
    List<GateResult> g = GateEvaluator.evaluate(Results.read(dir), Gates.defaults());
    assertEquals(GateResult.PASS, verdictOf(g, "negative control"));
    n.put("status", "PASS");
    Results.JSON.writeValue(v.toFile(), n);
    g = GateEvaluator.evaluate(Results.read(dir), Gates.defaults());
    assertEquals(GateResult.FAIL, verdictOf(g, "negative control"));
  }

  @Test
  @DisplayName("recovery time regresses only at twice the baseline and two seconds more")
  void recoveryTolerance() {
    assertEquals("OK", Compare.recovery("r", 986, 2041).verdict());
    assertEquals("REGRESSION", Compare.recovery("r", 1000, 3500).verdict());
  }
}
