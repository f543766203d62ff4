package dev.natsproof.chaos.core;

import dev.natsproof.results.CoreChaosVerdict;
import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Percentiles;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What a Core run's history shows, per subscription and overall: frames expected vs received, the
 * longest gap between two received frames (the freeze a player sees), fault → first frame after the
 * freeze, latency inside and outside fault windows, frames out of order or repeated, reconnects,
 * and the commands' outcomes. Pure: a history in, numbers out; {@link
 * dev.natsproof.results.CoreJudge} judges them.
 */
public final class CoreChecker {
  /**
   * A gap longer than this many frame periods (and {@link #FREEZE_MILLIS}) is a freeze a fault
   * caused: what a player notices, not the jitter of a 50 ms link.
   */
  static final int FREEZE_PERIODS = 3;

  static final long FREEZE_MILLIS = 250;

  /** The hiccup control's worst overshoot of a second, recorded once a second (µs in seq). */
  public static final String HICCUP = "hiccup";

  /** The server's shortest publisher stall up to 2.10.25 (stallClientMinDuration). */
  static final long STALL_MICROS = 100_000;

  /** A second whose hiccup control overshot this much says nothing about the server. */
  static final long QUIET_HICCUP_MICROS = 50_000;

  /**
   * Seconds inside fault windows in which the judged players' p99 reached the server's publisher
   * stall (100 ms) while the machine itself was quiet: the count of {@code
   * slow-subscriber-stalls-publisher} in a slow-player run.
   */
  public static long stallSeconds(Measured m, List<FaultWindow> faults) {
    long n = 0;
    for (CoreChaosVerdict.Second s : m.timeline()) {
      boolean inFault =
          inAnyFault(TimeUnit.SECONDS.toNanos(s.second()), faults)
              || inAnyFault(TimeUnit.SECONDS.toNanos(s.second() + 1) - 1, faults);
      if (inFault
          && s.frames() > 0
          && s.p99Micros() >= STALL_MICROS
          && s.hiccupMaxMicros() < QUIET_HICCUP_MICROS) {
        n++;
      }
    }
    return n;
  }

  /** A freeze counts for a fault when it began before the heal plus this. */
  static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private CoreChecker() {}

  /**
   * The numbers of one run.
   *
   * @param frames totals over the judged subscriptions
   * @param subscriptions every subscription, judged or not
   * @param commands the players' commands
   * @param duringFault judged frames' latency inside fault windows
   * @param outsideFault outside them
   * @param publisher the room server's lateness
   * @param roomLongestGap the judged subscriptions' longest gaps (µs)
   * @param consistentAgain a gateway's disconnect → each of its rooms rebuilt from a snapshot (µs)
   * @param timeline per second
   * @param observations what else the run showed
   */
  public record Measured(
      CoreChaosVerdict.FrameTotals frames,
      List<CoreChaosVerdict.SubscriptionStats> subscriptions,
      CoreChaosVerdict.CommandTotals commands,
      Percentiles duringFault,
      Percentiles outsideFault,
      Percentiles publisher,
      Percentiles roomLongestGap,
      Percentiles consistentAgain,
      List<CoreChaosVerdict.Second> timeline,
      List<String> observations) {

    /**
     * The run's verdict from these numbers: the record filled in, then judged by {@link
     * dev.natsproof.results.CoreJudge}.
     */
    public CoreChaosVerdict judged(
        String suite,
        String run,
        String nemesis,
        boolean negativeControl,
        List<String> reasons,
        long gapLimitMs,
        String gapLimitReason,
        Double serverCpuNanosPerFrame,
        Percentiles hiccup,
        List<FaultWindow> faults,
        List<dev.natsproof.results.FindingCount> findings,
        dev.natsproof.results.Provenance provenance,
        long durationMs) {
      return dev.natsproof.results.CoreJudge.judge(
          new CoreChaosVerdict(
              suite,
              run,
              nemesis,
              negativeControl,
              dev.natsproof.results.Verdict.UNKNOWN,
              reasons,
              gapLimitMs,
              gapLimitReason,
              frames,
              subscriptions,
              commands,
              duringFault,
              outsideFault,
              publisher,
              roomLongestGap,
              consistentAgain,
              serverCpuNanosPerFrame,
              hiccup,
              faults,
              observations,
              findings,
              timeline,
              provenance,
              durationMs));
    }
  }

  /**
   * @param h the run's history
   * @param hz the rooms' frame rate
   * @param latestOnly whether the gateways subscribed latest-only (slow players never do)
   * @param unjudged subscribers reported but not gated (the slow players)
   * @param faults the run's fault windows
   */
  public static Measured measure(
      History h, int hz, boolean latestOnly, Set<String> unjudged, List<FaultWindow> faults) {
    List<Op> ops = h.ops();
    long period = 1_000_000_000L / hz;
    long threshold =
        Math.max(FREEZE_PERIODS * period, TimeUnit.MILLISECONDS.toNanos(FREEZE_MILLIS));
    Map<String, Long> published = new TreeMap<>();
    Map<String, List<Op>> bySub = new LinkedHashMap<>();
    Map<String, Long> replaced = new LinkedHashMap<>();
    Histogram publisher = new Histogram(3);
    long loadEnd = Long.MAX_VALUE;
    long publishFailures = 0;
    Map<String, Map<String, Integer>> connections = new TreeMap<>();
    List<Op> commands = new ArrayList<>();
    Map<Long, Long> hiccups = new TreeMap<>();
    for (Op op : ops) {
      switch (op.type()) {
        case CoreLoad.PUBLISH -> {
          if (op.ok()) {
            published.merge(op.value(), 1L, Long::sum);
            publisher.recordValue(micros(op.endNanos() - op.startNanos()));
          } else {
            publishFailures++;
          }
        }
        case CoreLoad.FRAME ->
            bySub.computeIfAbsent(op.process() + "/" + op.value(), k -> new ArrayList<>()).add(op);
        case CoreLoad.REPLACED ->
            replaced.merge(op.process() + "/" + op.value(), op.seq(), Long::sum);
        case CoreLoad.LOAD_END -> loadEnd = Math.min(loadEnd, op.endNanos());
        case CoreLoad.CONNECTION ->
            connections
                .computeIfAbsent(op.process(), k -> new TreeMap<>())
                .merge(op.value(), 1, Integer::sum);
        case CoreLoad.COMMAND -> commands.add(op);
        case HICCUP ->
            hiccups.merge(TimeUnit.NANOSECONDS.toSeconds(op.endNanos()), op.seq(), Math::max);
        default -> {
          // nemesis events and the rest: the fault windows come in already made
        }
      }
    }
    Histogram during = new Histogram(3);
    Histogram outside = new Histogram(3);
    Histogram gaps = new Histogram(3);
    List<CoreChaosVerdict.SubscriptionStats> subs = new ArrayList<>();
    long expected = 0;
    long received = 0;
    long missed = 0;
    long replacedTotal = 0;
    long outOfOrder = 0;
    long duplicates = 0;
    long longestGap = 0;
    Long worstRecovery = faults.isEmpty() ? null : 0L;
    boolean neverRecovered = false;
    Map<Long, Histogram> perSecond = new TreeMap<>();
    for (Map.Entry<String, List<Op>> e : bySub.entrySet()) {
      String[] pr = e.getKey().split("/", 2);
      String subscriber = pr[0];
      String roomKey = pr[1];
      boolean judged = !unjudged.contains(subscriber);
      List<Op> frames = new ArrayList<>(e.getValue());
      frames.sort(Comparator.comparingLong(Op::endNanos));
      Histogram latency = new Histogram(3);
      long last = -1;
      long ooo = 0;
      long dup = 0;
      long gap = 0;
      for (int i = 0; i < frames.size(); i++) {
        Op f = frames.get(i);
        long lat = micros(f.endNanos() - f.startNanos());
        latency.recordValue(lat);
        if (judged) {
          (inAnyFault(f.endNanos(), faults) ? during : outside).recordValue(lat);
          perSecond
              .computeIfAbsent(TimeUnit.NANOSECONDS.toSeconds(f.endNanos()), k -> new Histogram(3))
              .recordValue(lat);
        }
        if (f.seq() < last) {
          ooo++;
        } else if (f.seq() == last) {
          dup++;
        }
        last = Math.max(last, f.seq());
        if (i > 0) {
          gap = Math.max(gap, f.endNanos() - frames.get(i - 1).endNanos());
        }
      }
      if (!frames.isEmpty() && loadEnd != Long.MAX_VALUE && judged) {
        gap = Math.max(gap, loadEnd - frames.get(frames.size() - 1).endNanos());
      }
      List<Long> recovery = new ArrayList<>();
      for (FaultWindow w : faults) {
        Long r = recovery(frames, w, threshold);
        recovery.add(r);
        if (judged) {
          if (r == null) {
            neverRecovered = true;
          } else if (worstRecovery != null) {
            worstRecovery = Math.max(worstRecovery, r);
          }
        }
      }
      long room = roomKey.startsWith("room-") ? Long.parseLong(roomKey.substring(5)) : -1;
      long exp =
          judged
              ? published.getOrDefault(roomKey, 0L)
              : expectedWhileSubscribed(ops, roomKey, frames, period);
      long rep = replaced.getOrDefault(e.getKey(), 0L);
      long miss = Math.max(0, exp - frames.size() - rep);
      subs.add(
          new CoreChaosVerdict.SubscriptionStats(
              subscriber,
              (int) room,
              judged,
              judged && latestOnly,
              exp,
              frames.size(),
              rep,
              miss,
              TimeUnit.NANOSECONDS.toMillis(gap),
              ooo,
              dup,
              recovery,
              Percentiles.of(latency)));
      if (judged) {
        expected += exp;
        received += frames.size();
        replacedTotal += rep;
        missed += miss;
        outOfOrder += ooo;
        duplicates += dup;
        longestGap = Math.max(longestGap, TimeUnit.NANOSECONDS.toMillis(gap));
        gaps.recordValue(micros(gap));
      }
    }
    // A judged gateway room that got no frame at all is in the stats too (received 0).
    for (String sub : replaced.keySet()) {
      if (!bySub.containsKey(sub) && !unjudged.contains(sub.split("/", 2)[0])) {
        String roomKey = sub.split("/", 2)[1];
        long exp = published.getOrDefault(roomKey, 0L);
        long rep = replaced.get(sub);
        List<Long> none = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
          none.add(null);
        }
        neverRecovered |= !faults.isEmpty();
        subs.add(
            new CoreChaosVerdict.SubscriptionStats(
                sub.split("/", 2)[0],
                Integer.parseInt(roomKey.substring(5)),
                true,
                latestOnly,
                exp,
                0,
                rep,
                Math.max(0, exp - rep),
                loadEnd == Long.MAX_VALUE ? 0 : TimeUnit.NANOSECONDS.toMillis(loadEnd),
                0,
                0,
                none,
                Percentiles.EMPTY));
        expected += exp;
        missed += Math.max(0, exp - rep);
        longestGap = Math.max(longestGap, TimeUnit.NANOSECONDS.toMillis(loadEnd));
      }
    }
    if (neverRecovered) {
      worstRecovery = null;
    }
    long reconnects =
        connections.values().stream().mapToLong(m -> m.getOrDefault("reconnected", 0)).sum();
    List<String> observations = new ArrayList<>();
    connections.forEach((who, events) -> observations.add(who + ": " + events));
    if (publishFailures > 0) {
      observations.add(publishFailures + " publishes failed at the room server");
    }
    for (CoreChaosVerdict.SubscriptionStats s : subs) {
      if (!s.judged()) {
        observations.add(
            s.subscriber()
                + " room "
                + s.room()
                + ": "
                + s.received()
                + " frames, "
                + s.replaced()
                + " dropped, latency "
                + s.latency());
      }
    }
    long sumPublished = published.values().stream().mapToLong(Long::longValue).sum();
    return new Measured(
        new CoreChaosVerdict.FrameTotals(
            sumPublished,
            expected,
            received,
            missed,
            replacedTotal,
            outOfOrder,
            duplicates,
            longestGap,
            worstRecovery,
            reconnects),
        subs,
        commands(commands),
        Percentiles.of(during),
        Percentiles.of(outside),
        Percentiles.of(publisher),
        Percentiles.of(gaps),
        Percentiles.of(consistentAgain(ops)),
        timeline(perSecond, commands, hiccups),
        observations);
  }

  /**
   * Fault → the first frame after the freeze the fault caused: the first gap longer than the
   * threshold that ends after the injection and began before the heal settled. 0 when the fault
   * caused no freeze, null when no frame came after it at all.
   */
  static Long recovery(List<Op> frames, FaultWindow w, long threshold) {
    long fault = TimeUnit.MILLISECONDS.toNanos(w.injectedAtMs());
    long settled = TimeUnit.MILLISECONDS.toNanos(w.healedAtMs()) + SETTLE_NANOS;
    long prev = Long.MIN_VALUE;
    boolean any = false;
    for (Op f : frames) {
      long t = f.endNanos();
      if (t > fault) {
        any = true;
        long from = Math.max(prev, fault);
        if (prev != Long.MIN_VALUE && from < settled && t - from > threshold) {
          return TimeUnit.NANOSECONDS.toMillis(t - fault);
        }
        if (prev == Long.MIN_VALUE && t - fault > threshold) {
          return TimeUnit.NANOSECONDS.toMillis(t - fault);
        }
      }
      prev = t;
    }
    return any ? 0L : null;
  }

  /**
   * For every disconnect of a gateway, the time until each of its rooms was rebuilt from its
   * snapshot (the first {@link CoreLoad#RESYNC} of that room after it), in µs.
   */
  static Histogram consistentAgain(List<Op> ops) {
    Histogram h = new Histogram(3);
    Map<String, List<Long>> disconnects = new TreeMap<>();
    Map<String, List<Op>> resyncs = new TreeMap<>();
    for (Op op : ops) {
      if (op.is(CoreLoad.CONNECTION) && op.value().equals("disconnected")) {
        disconnects.computeIfAbsent(op.process(), k -> new ArrayList<>()).add(op.endNanos());
      } else if (op.is(CoreLoad.RESYNC)) {
        resyncs.computeIfAbsent(op.process(), k -> new ArrayList<>()).add(op);
      }
    }
    disconnects.forEach(
        (gw, times) -> {
          List<Op> rs = resyncs.getOrDefault(gw, List.of());
          java.util.Set<String> rooms = new java.util.TreeSet<>();
          rs.forEach(r -> rooms.add(r.value()));
          Long prev = null;
          for (long d : times) {
            boolean sameOutage = prev != null && d - prev < TimeUnit.SECONDS.toNanos(1);
            prev = d;
            if (sameOutage) {
              continue; // a failed reconnect attempt of the same outage
            }
            for (String room : rooms) {
              rs.stream()
                  .filter(r -> r.value().equals(room) && r.endNanos() > d)
                  .findFirst()
                  .ifPresent(r -> h.recordValue(micros(r.endNanos() - d)));
            }
          }
        });
    return h;
  }

  private static long expectedWhileSubscribed(
      List<Op> ops, String roomKey, List<Op> frames, long period) {
    if (frames.isEmpty()) {
      return 0;
    }
    long from = frames.get(0).startNanos() - period;
    long to = frames.get(frames.size() - 1).endNanos();
    long n = 0;
    for (Op op : ops) {
      if (op.is(CoreLoad.PUBLISH)
          && op.ok()
          && op.value().equals(roomKey)
          && op.startNanos() >= from
          && op.startNanos() <= to) {
        n++;
      }
    }
    return n;
  }

  static boolean inAnyFault(long nanos, List<FaultWindow> faults) {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
    for (FaultWindow w : faults) {
      if (ms >= w.injectedAtMs() && ms <= w.healedAtMs()) {
        return true;
      }
    }
    return false;
  }

  private static CoreChaosVerdict.CommandTotals commands(List<Op> ops) {
    Histogram lat = new Histogram(3);
    long answered = 0;
    long failed = 0;
    long hung = 0;
    long retries = 0;
    for (Op op : ops) {
      if (op.ok()) {
        answered++;
        lat.recordValue(micros(op.endNanos() - op.startNanos()));
      } else if (Op.FAIL.equals(op.outcome())) {
        failed++;
      } else {
        hung++;
      }
      retries += Math.max(0, op.deliveries() - 1);
    }
    return new CoreChaosVerdict.CommandTotals(
        ops.size(), answered, failed, hung, retries, Percentiles.of(lat));
  }

  private static List<CoreChaosVerdict.Second> timeline(
      Map<Long, Histogram> frames, List<Op> commands, Map<Long, Long> hiccups) {
    Map<Long, long[]> cmd = new TreeMap<>();
    for (Op op : commands) {
      long[] c =
          cmd.computeIfAbsent(TimeUnit.NANOSECONDS.toSeconds(op.endNanos()), k -> new long[2]);
      if (op.ok()) {
        c[0]++;
      } else {
        c[1]++;
      }
    }
    TreeMap<Long, Boolean> seconds = new TreeMap<>();
    frames.keySet().forEach(s -> seconds.put(s, true));
    cmd.keySet().forEach(s -> seconds.put(s, true));
    List<CoreChaosVerdict.Second> out = new ArrayList<>();
    if (seconds.isEmpty()) {
      return out;
    }
    for (long s = seconds.firstKey(); s <= seconds.lastKey(); s++) {
      Histogram f = frames.get(s);
      long[] c = cmd.getOrDefault(s, new long[2]);
      out.add(
          new CoreChaosVerdict.Second(
              s,
              f == null ? 0 : f.getTotalCount(),
              f == null ? 0 : f.getValueAtPercentile(50),
              f == null ? 0 : f.getValueAtPercentile(99),
              c[0],
              c[1],
              hiccups.getOrDefault(s, 0L)));
    }
    return out;
  }

  private static long micros(long nanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos));
  }
}
