package dev.natsproof.benchmarks;

import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.Percentiles;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import dev.natsproof.results.Workload;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Open-loop room fan-out: every room publishes a state frame on a fixed schedule (rooms' phases
 * spread over the tick), each of its players receives it, and every delivery's latency is receive
 * time − <em>intended</em> send time. A publisher that falls behind therefore shows up as latency
 * instead of silently sending fewer frames (coordinated omission).
 *
 * <p>With the {@code broker-latest} client the gateway subscribes to each room through {@code
 * subscribeLatest}: a handler slower than the room's rate takes the newest frame, and the frames in
 * between are replaced (the game's design accepts that; a room can be rebuilt from a snapshot). The
 * run counts them from the gaps in each room's frame sequence, and records how old the frame a
 * handler takes is.
 *
 * <p>Frame layout: intended send nanoTime (8 bytes), room (4), sequence (4), padding.
 */
public final class FanOutScenario {

  /**
   * @param client which client measures
   * @param publishDelayNanos extra delay before every publish: a deliberately slowed path, for the
   *     gate's negative control; 0 in real runs
   * @param outDir where {@code .hlog} interval logs go, or null for none
   * @param drainTimeout how long to wait for the last deliveries after publishing stops
   * @param serverCpuNanos the server processes' CPU so far, or null for an external server
   */
  /**
   * @param shard which part of the rooms this process runs ({@link Shard#WHOLE}: all of them)
   */
  public record Options(
      FanOutClient client,
      long publishDelayNanos,
      Path outDir,
      Duration drainTimeout,
      LongSupplier serverCpuNanos,
      Shard shard) {
    public static Options defaults(Path outDir) {
      return new Options(FanOutClient.BROKER, 0, outDir, Duration.ofSeconds(5), null, Shard.WHOLE);
    }

    public Options withClient(FanOutClient c) {
      return new Options(c, publishDelayNanos, outDir, drainTimeout, serverCpuNanos, shard);
    }

    public Options withPublishDelay(Duration d) {
      return new Options(client, d.toNanos(), outDir, drainTimeout, serverCpuNanos, shard);
    }

    public Options withServerCpu(LongSupplier cpu) {
      return new Options(client, publishDelayNanos, outDir, drainTimeout, cpu, shard);
    }

    public Options withShard(Shard s) {
      return new Options(client, publishDelayNanos, outDir, drainTimeout, serverCpuNanos, s);
    }
  }

  /**
   * A part of the rooms for one of several load-generator processes: room {@code r} belongs to
   * shard {@code r % count}. Each process publishes and subscribes its own rooms only, so every
   * latency is measured on one clock; {@code reports.jar merge} adds the parts up.
   */
  public record Shard(int index, int count) {
    public static final Shard WHOLE = new Shard(0, 1);

    public Shard {
      if (count < 1 || index < 0 || index >= count) {
        throw new IllegalArgumentException(
            "shard "
                + index
                + "/"
                + count
                + " is not a part: give INDEX/COUNT with 0 <= INDEX < COUNT");
      }
    }

    /** {@code INDEX/COUNT}, e.g. {@code 2/4}. */
    public static Shard parse(String s) {
      String[] p = s == null ? new String[0] : s.split("/");
      try {
        if (p.length == 2) {
          return new Shard(Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip()));
        }
      } catch (NumberFormatException e) {
        // named below
      }
      throw new IllegalArgumentException("--shard '" + s + "' is not INDEX/COUNT such as 0/4");
    }

    boolean owns(int room) {
      return room % count == index;
    }

    String suffix() {
      return count == 1 ? "" : " shard " + index + "/" + count;
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

  private final LongAdder[] delivered = {new LongAdder(), new LongAdder()};
  private final LongAdder[] replaced = {new LongAdder(), new LongAdder()};
  private final LongAdder[] published = {new LongAdder(), new LongAdder()};
  private final LongAdder outOfOrder = new LongAdder();
  private volatile long measureStartNanos = Long.MAX_VALUE;
  private OpenLoop.Series latency;
  private OpenLoop.Series lateness;
  private OpenLoop.Series frameAge;

  public FanOutScenario(
      Workload w, List<String> urls, boolean embedded, Options options, PrintStream progress) {
    this.w = w;
    this.urls = List.copyOf(urls);
    this.options = options;
    this.embedded = embedded;
    this.progress = progress;
  }

  /**
   * Runs {@code run} again while the gate says the platform itself stalled (UNKNOWN: the hiccup
   * control over its limit), up to {@code attempts} times in all. The result keeps why each earlier
   * attempt was measured again, so the report can say how many it took; a run still UNKNOWN after
   * the last attempt stays UNKNOWN.
   */
  public static FanOutRun untilQuiet(
      int attempts, GateLimits limits, PrintStream log, Supplier<FanOutRun> run) {
    List<String> stalled = new ArrayList<>();
    FanOutRun r = null;
    for (int a = 1; a <= attempts; a++) {
      r = run.get();
      GateResult g = GateEngine.fanOut(r, limits);
      if (g.verdict() != Verdict.UNKNOWN || a == attempts) {
        break;
      }
      stalled.add("attempt " + a + ": " + g.detail());
      if (log != null) {
        log.println("  UNKNOWN (" + g.detail() + "): measuring again, attempt " + (a + 1));
      }
    }
    return r.withRemeasured(stalled);
  }

  public FanOutRun run() {
    List<CoreClient> subs = new ArrayList<>();
    List<CoreClient> pubs = new ArrayList<>();
    String serverVersion = "unknown";
    FanOutClient c = options.client();
    try (OpenLoop loop =
        new OpenLoop(
            options.outDir(),
            ResultsDir.fanOutHiccupLog(w.name(), c),
            options.serverCpuNanos(),
            progress,
            w.name() + " " + c)) {
      latency = loop.series("latency", ResultsDir.fanOutLatencyLog(w.name(), c), "fan-out latency");
      lateness =
          loop.series("lateness", ResultsDir.fanOutLatenessLog(w.name(), c), "publisher lateness");
      frameAge = loop.series("frame-age", null, "frame age at the handler");
      try {
        for (int i = 0; i < w.subscriberConnections(); i++) {
          subs.add(CoreClient.open(c, urls, "fanout-sub-" + i));
        }
        serverVersion = subs.get(0).serverVersion();
        if (w.layout() == Workload.Layout.GATEWAY) {
          int mine = 0;
          for (int r = 0; r < w.rooms(); r++) {
            if (!options.shard().owns(r)) {
              continue;
            }
            RoomSessions room = new RoomSessions(w.playersPerRoom());
            subs.get(mine++ % subs.size()).subscribe(subject(r), room::onFrame);
          }
        } else {
          int idx = 0;
          for (int r = 0; r < w.rooms(); r++) {
            if (!options.shard().owns(r)) {
              continue;
            }
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
          pubs.add(
              CoreClient.open(
                  FanOutClient.RAW_JNATS == c ? c : FanOutClient.BROKER, urls, "fanout-pub-" + t));
        }
        // The schedule starts once everything is connected.
        return measure(
            subs, pubs, loop, loop.begin(w.warmupSeconds(), w.durationSeconds()), serverVersion);
      } catch (RuntimeException e) {
        return failed(serverVersion, e.toString());
      } finally {
        pubs.forEach(CoreClient::close);
        subs.forEach(CoreClient::close);
      }
    }
  }

  private static String subject(int room) {
    return "room." + room + ".state";
  }

  /** {@link Workload.Layout#PLAYER_SUBSCRIPTIONS}: this subscription is one player's. */
  private void onFrame(byte[] data) {
    long now = System.nanoTime();
    long intended = (long) LONG.get(data, 0);
    int phase = OpenLoop.phaseOf(intended, measureStartNanos);
    latency.recorder(phase).recordValue(Math.max(0, now - intended) / 1000);
    delivered[phase].increment();
  }

  /**
   * {@link Workload.Layout#GATEWAY}: one subscription per room, whose frames the gateway hands to
   * each of the room's player sessions (here a latest-frame slot per session, where a real gateway
   * would queue the frame for the player's socket). Each hand-over is one delivery, timed on its
   * own. Handlers of one room never run concurrently (jnats's dispatcher, or the latest-only slot's
   * single drain task), so the room's last sequence needs no lock.
   */
  private final class RoomSessions {
    private final byte[][] sessions;
    private int lastSeq = -1;

    RoomSessions(int players) {
      sessions = new byte[players][];
    }

    void onFrame(byte[] data) {
      long took = System.nanoTime();
      long intended = (long) LONG.get(data, 0);
      int seq = (int) INT.get(data, 12);
      int phase = OpenLoop.phaseOf(intended, measureStartNanos);
      frameAge.recorder(phase).recordValue(Math.max(0, took - intended) / 1000);
      if (seq <= lastSeq) {
        outOfOrder.increment(); // older than (or the same as) one already handed over
        return;
      }
      int gap = seq - lastSeq - 1; // frames a latest-only slot replaced before this one
      if (gap > 0) {
        // Each replaced frame counts in its own phase: the k-th before this one was intended k
        // ticks earlier.
        long recorded =
            intended < measureStartNanos
                ? 0
                : Math.min(gap, (intended - measureStartNanos) / w.tickNanos());
        replaced[1].add(recorded);
        replaced[0].add(gap - recorded);
      }
      lastSeq = seq;
      if (w.handlerMicros() > 0) {
        LockSupport.parkNanos(w.handlerMicros() * 1000L); // the gateway's own work, modelled
      }
      var rec = latency.recorder(phase);
      for (int p = 0; p < sessions.length; p++) {
        sessions[p] = data;
        rec.recordValue(Math.max(0, System.nanoTime() - intended) / 1000);
      }
      delivered[phase].add(sessions.length);
    }
  }

  private FanOutRun measure(
      List<CoreClient> subs,
      List<CoreClient> pubs,
      OpenLoop loop,
      OpenLoop.Phases phases,
      String serverVersion) {
    long tick = w.tickNanos();
    measureStartNanos = phases.measureStartNanos();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(pubs.size());
    for (int t = 0; t < pubs.size(); t++) {
      int thread = t;
      CoreClient pub = pubs.get(t);
      Thread th =
          new Thread(
              () -> {
                try {
                  publishLoop(pub, thread, pubs.size(), phases, tick);
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
    try {
      loop.monitor(done, () -> delivered[1].sum() + " deliveries recorded");
      for (CoreClient p : pubs) {
        p.flush(Duration.ofSeconds(10));
      }
      long expected = published[1].sum() * w.playersPerRoom();
      long deadline = System.nanoTime() + options.drainTimeout().toNanos();
      while (accounted() < expected && System.nanoTime() < deadline) {
        for (CoreClient s : subs) {
          s.flush(Duration.ofSeconds(5)); // a round trip per connection: what was sent arrived
        }
        if (accounted() < expected) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
      }
      loop.finish();
      long deliveries = delivered[1].sum();
      long replacedFrames = replaced[1].sum();
      long slow = 0;
      long dropped = 0;
      for (CoreClient s : subs) {
        slow += s.slowConsumerEvents();
        dropped += s.droppedMessages();
      }
      Throwable f = failure.get();
      String error = f == null ? null : f.toString();
      if (error == null && outOfOrder.sum() > 0) {
        error = outOfOrder.sum() + " frames handed over older than one already handed over";
      }
      return new FanOutRun(
          w,
          provenance(serverVersion),
          options.client(),
          published[1].sum(),
          expected,
          deliveries,
          Math.max(0, expected - deliveries - replacedFrames * w.playersPerRoom()),
          replacedFrames,
          Percentiles.of(frameAge.total()),
          Percentiles.of(latency.total()),
          Percentiles.of(lateness.total()),
          loop.hiccup(),
          slow,
          dropped,
          loop.clientCpuNanosPer(deliveries),
          loop.serverCpuNanosPer(deliveries),
          deliveries / (double) w.durationSeconds(),
          error,
          List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(serverVersion, "interrupted");
    }
  }

  /** Deliveries made plus those a latest-only handler replaced by design. */
  private long accounted() {
    return delivered[1].sum() + replaced[1].sum() * w.playersPerRoom();
  }

  private void publishLoop(
      CoreClient pub, int thread, int threads, OpenLoop.Phases phases, long tick) {
    List<Integer> mine = new ArrayList<>();
    int k = 0;
    for (int r = 0; r < w.rooms(); r++) {
      if (options.shard().owns(r) && k++ % threads == thread) {
        mine.add(r);
      }
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
      long tickStart = phases.startNanos() + t * tick;
      if (tickStart >= phases.endNanos()) {
        return;
      }
      for (int i = 0; i < subjects.length; i++) {
        long intended = tickStart + phase[i];
        if (intended >= phases.endNanos()) {
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
        int recorded = phases.phase(intended);
        published[recorded].increment();
        lateness.recorder(recorded).recordValue(Math.max(0, before - intended) / 1000);
      }
      seq++;
    }
  }

  private Provenance provenance(String serverVersion) {
    return Provenance.of(
        serverVersion,
        String.join(",", urls),
        embedded,
        io.nats.client.Nats.CLIENT_VERSION,
        w.name() + options.shard().suffix());
  }

  private FanOutRun failed(String serverVersion, String error) {
    return new FanOutRun(
        w,
        provenance(serverVersion),
        options.client(),
        published[1].sum(),
        published[1].sum() * w.playersPerRoom(),
        delivered[1].sum(),
        0,
        replaced[1].sum(),
        Percentiles.EMPTY,
        Percentiles.EMPTY,
        Percentiles.EMPTY,
        Percentiles.EMPTY,
        0,
        0,
        0,
        -1,
        0,
        error,
        List.of());
  }
}
