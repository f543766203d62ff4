package dev.natsproof.benchmarks;

import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * Open-loop room fan-out: every room publishes a state frame on a fixed schedule (rooms' phases
 * spread over the tick), each of its players' subscriptions receives it, and every delivery's
 * latency is receive time − <em>intended</em> send time. A publisher that falls behind therefore
 * shows up as latency instead of silently sending fewer frames (coordinated omission).
 *
 * <p>Frame layout: intended send nanoTime (8 bytes), room (4), sequence (4), padding.
 */
public final class FanOutScenario {

  /**
   * @param variant "broker" or "raw-jnats"
   * @param publishDelayNanos extra delay before every publish: a deliberately slowed path, for the
   *     gate's negative control; 0 in real runs
   * @param outDir where {@code .hlog} interval logs go, or null for none
   * @param drainTimeout how long to wait for the last deliveries after publishing stops
   */
  public record Options(
      String variant, long publishDelayNanos, Path outDir, Duration drainTimeout) {
    public static Options defaults(Path outDir) {
      return new Options("broker", 0, outDir, Duration.ofSeconds(5));
    }

    public Options withVariant(String v) {
      return new Options(v, publishDelayNanos, outDir, drainTimeout);
    }

    public Options withPublishDelay(Duration d) {
      return new Options(variant, d.toNanos(), outDir, drainTimeout);
    }
  }

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private final Workload w;
  private final List<String> urls;
  private final Options options;
  private final boolean embedded;
  private final PrintStream progress;

  // Index 0 = warm-up (discarded), 1 = the recorded phase. Warm-up frames are recorded too, through
  // the same code, chosen by arithmetic rather than a branch: a branch never taken during warm-up
  // is compiled as an uncommon trap, and every handler thread would deoptimize the moment recording
  // starts. (The slow first recorded second seen at 1000x10 turned out to be the monitor's
  // first-time work, below; this keeps the handlers out of it.) Fixed-range recorders never resize
  // in the hot path.
  private final Recorder[] latency = {recorder(), recorder()};
  private final Recorder[] lateness = {recorder(), recorder()};
  private final LongAdder[] delivered = {new LongAdder(), new LongAdder()};
  private final LongAdder[] published = {new LongAdder(), new LongAdder()};
  private volatile long measureStartNanos = Long.MAX_VALUE;

  static Recorder recorder() {
    return new Recorder(1, TimeUnit.HOURS.toMicros(1), 3);
  }

  /** 1 when {@code intended} falls in the recorded phase, else 0; no branch. */
  static int phase(long intended, long measureStart) {
    return (int) (~(intended - measureStart) >>> 63);
  }

  public FanOutScenario(
      Workload w, List<String> urls, boolean embedded, Options options, PrintStream progress) {
    this.w = w;
    this.urls = List.copyOf(urls);
    this.options = options;
    this.embedded = embedded;
    this.progress = progress;
  }

  public FanOutResult run() {
    List<CoreClient> subs = new ArrayList<>();
    List<CoreClient> pubs = new ArrayList<>();
    String serverVersion = "unknown";
    HiccupMeter hiccup = null;
    try {
      for (int c = 0; c < w.subscriberConnections(); c++) {
        subs.add(CoreClient.open(options.variant(), urls, "fanout-sub-" + c));
      }
      serverVersion = subs.get(0).serverVersion();
      if (w.layout() == Workload.Layout.GATEWAY) {
        for (int r = 0; r < w.rooms(); r++) {
          RoomSessions room = new RoomSessions(w.playersPerRoom());
          subs.get(r % subs.size()).subscribe(subject(r), room::onFrame);
        }
      } else {
        int idx = 0;
        for (int r = 0; r < w.rooms(); r++) {
          String subject = subject(r);
          for (int p = 0; p < w.playersPerRoom(); p++) {
            subs.get(idx++ % subs.size()).subscribe(subject, this::onFrame);
          }
        }
      }
      for (CoreClient s : subs) {
        s.flush(Duration.ofSeconds(30)); // the server knows every subscription
      }
      for (int t = 0; t < w.publisherThreads(); t++) {
        pubs.add(CoreClient.open(options.variant(), urls, "fanout-pub-" + t));
      }
      hiccup = new HiccupMeter();
      cpuNanos(); // its first call is not free either: not at the start of recording
      return measure(subs, pubs, hiccup, serverVersion);
    } catch (RuntimeException e) {
      return failed(serverVersion, e.toString());
    } finally {
      if (hiccup != null) {
        hiccup.close();
      }
      pubs.forEach(CoreClient::close);
      subs.forEach(CoreClient::close);
    }
  }

  private static String subject(int room) {
    return "room." + room + ".state";
  }

  /** {@link Workload.Layout#PLAYER_SUBSCRIPTIONS}: this subscription is one player's. */
  private void onFrame(byte[] data) {
    long now = System.nanoTime();
    long intended = (long) LONG.get(data, 0);
    int phase = phase(intended, measureStartNanos);
    latency[phase].recordValue(Math.max(0, now - intended) / 1000);
    delivered[phase].increment();
  }

  /**
   * {@link Workload.Layout#GATEWAY}: one subscription per room, whose frames the gateway hands to
   * each of the room's player sessions (here a latest-frame slot per session, where a real gateway
   * would queue the frame for the player's socket). Each hand-over is one delivery, timed on its
   * own.
   */
  private final class RoomSessions {
    private final byte[][] sessions;

    RoomSessions(int players) {
      sessions = new byte[players][];
    }

    void onFrame(byte[] data) {
      long intended = (long) LONG.get(data, 0);
      int phase = phase(intended, measureStartNanos);
      Recorder rec = latency[phase];
      for (int p = 0; p < sessions.length; p++) {
        sessions[p] = data;
        rec.recordValue(Math.max(0, System.nanoTime() - intended) / 1000);
      }
      delivered[phase].add(sessions.length);
    }
  }

  private FanOutResult measure(
      List<CoreClient> subs, List<CoreClient> pubs, HiccupMeter hiccup, String serverVersion) {
    long tick = w.tickNanos();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    long measureStart = start + TimeUnit.SECONDS.toNanos(w.warmupSeconds());
    long end = measureStart + TimeUnit.SECONDS.toNanos(w.durationSeconds());
    measureStartNanos = measureStart;

    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(pubs.size());
    for (int t = 0; t < pubs.size(); t++) {
      int thread = t;
      CoreClient pub = pubs.get(t);
      Thread th =
          new Thread(
              () -> {
                try {
                  publishLoop(pub, thread, pubs.size(), start, measureStart, end, tick);
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                } finally {
                  done.countDown();
                }
              },
              "fanout-publisher-" + t);
      th.setDaemon(true);
      th.start();
    }

    String stem = w.name() + "-" + options.variant();
    long cpuStart = 0;
    boolean cpuStarted = false;
    try (IntervalLog latencyLog =
            new IntervalLog(
                options.outDir(), stem + "-fanout-latency", "fan-out latency, " + w.name());
        IntervalLog hiccupLog =
            new IntervalLog(options.outDir(), stem + "-hiccup", "hiccup control, " + w.name());
        IntervalLog warmupLog = IntervalLog.discarding()) {
      long lastProgress = System.nanoTime();
      long second = TimeUnit.SECONDS.toNanos(1);
      long nextWake = Math.min(measureStart, System.nanoTime() + second);
      // wakes once a second, and exactly at the start of recording: CPU time and the intervals
      // then cover the recorded phase, one whole second per interval
      while (!done.await(Math.max(0, nextWake - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        long now = System.nanoTime();
        if (!cpuStarted && now >= measureStart) {
          cpuStart = cpuNanos();
          cpuStarted = true;
          hiccup.interval(); // the control's warm-up noise is not this phase's
          // (latency needs no reset: frames intended before this phase went to the warm-up's)
          nextWake = measureStart + second;
        } else if (cpuStarted) {
          latencyLog.add(latency[1].getIntervalHistogram());
          hiccupLog.add(hiccup.interval());
          nextWake += second;
        } else {
          warmupLog.add(latency[0].getIntervalHistogram()); // the same work, thrown away
          warmupLog.add(hiccup.interval());
          nextWake = Math.min(measureStart, now + second);
        }
        if (progress != null && now - lastProgress >= TimeUnit.SECONDS.toNanos(5)) {
          lastProgress = now;
          long left = Math.max(0, (end - now) / 1_000_000_000L);
          progress.printf(
              "  [%s %s] %s, %d s left, %d deliveries recorded%n",
              w.name(),
              options.variant(),
              now < measureStart ? "warming up" : "recording",
              left,
              delivered[1].sum());
        }
      }
      if (!cpuStarted) {
        cpuStart = cpuNanos();
      }
      for (CoreClient p : pubs) {
        p.flush(Duration.ofSeconds(10));
      }
      long expected = published[1].sum() * w.playersPerRoom();
      long deadline = System.nanoTime() + options.drainTimeout().toNanos();
      while (delivered[1].sum() < expected && System.nanoTime() < deadline) {
        for (CoreClient s : subs) {
          s.flush(Duration.ofSeconds(5)); // a round trip per connection: what was sent arrived
        }
        if (delivered[1].sum() < expected) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
      }
      long cpu = cpuNanos() - cpuStart;
      latencyLog.add(latency[1].getIntervalHistogram());
      hiccupLog.add(hiccup.interval());
      long deliveries = delivered[1].sum();
      long slow = 0;
      long dropped = 0;
      for (CoreClient s : subs) {
        slow += s.slowConsumerEvents();
        dropped += s.droppedMessages();
      }
      Throwable f = failure.get();
      return new FanOutResult(
          w,
          Provenance.of(serverVersion, String.join(",", urls), embedded, w.name()),
          options.variant(),
          published[1].sum(),
          expected,
          deliveries,
          Math.max(0, expected - deliveries),
          Percentiles.of(latencyLog.total()),
          Percentiles.of(lateness[1].getIntervalHistogram()),
          Percentiles.of(hiccupLog.total()),
          slow,
          dropped,
          deliveries == 0 ? 0 : (double) cpu / deliveries,
          deliveries / (double) w.durationSeconds(),
          f == null ? null : f.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(serverVersion, "interrupted");
    }
  }

  private void publishLoop(
      CoreClient pub, int thread, int threads, long start, long measureStart, long end, long tick) {
    List<Integer> mine = new ArrayList<>();
    for (int r = thread; r < w.rooms(); r += threads) {
      mine.add(r);
    }
    String[] subjects = new String[mine.size()];
    long[] phase = new long[mine.size()];
    // rooms' phases spread over the tick in slots of the room servers' timer resolution: the
    // rooms of one slot go out together, one wake-up per slot instead of one per room
    long slotNanos = w.publishSlotMicros() * 1000L;
    long slots = Math.max(1, tick / slotNanos);
    for (int i = 0; i < mine.size(); i++) {
      int r = mine.get(i);
      subjects[i] = subject(r);
      phase[i] = (slots * r / w.rooms()) * slotNanos;
    }
    int seq = 0;
    for (long t = 0; ; t++) {
      long tickStart = start + t * tick;
      if (tickStart >= end) {
        return;
      }
      for (int i = 0; i < subjects.length; i++) {
        long intended = tickStart + phase[i];
        if (intended >= end) {
          break;
        }
        long wait = intended - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        if (options.publishDelayNanos() > 0) {
          LockSupport.parkNanos(options.publishDelayNanos());
        }
        byte[] frame = new byte[w.payloadBytes()];
        LONG.set(frame, 0, intended);
        INT.set(frame, 8, mine.get(i));
        INT.set(frame, 12, seq);
        long before = System.nanoTime();
        pub.publish(subjects[i], frame);
        int recorded = phase(intended, measureStart);
        published[recorded].increment();
        lateness[recorded].recordValue(Math.max(0, before - intended) / 1000);
      }
      seq++;
    }
  }

  // Looked up when the class loads: the first call into the management factory loads and
  // initialises JMX, which stalled every thread for ~3 ms when it happened at the start of
  // recording.
  private static final java.lang.management.OperatingSystemMXBean OS =
      ManagementFactory.getOperatingSystemMXBean();

  private static long cpuNanos() {
    if (OS instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  private FanOutResult failed(String serverVersion, String error) {
    return new FanOutResult(
        w,
        Provenance.of(serverVersion, String.join(",", urls), embedded, w.name()),
        options.variant(),
        published[1].sum(),
        published[1].sum() * w.playersPerRoom(),
        delivered[1].sum(),
        0,
        Percentiles.EMPTY,
        Percentiles.EMPTY,
        Percentiles.EMPTY,
        0,
        0,
        0,
        0,
        error);
  }
}
