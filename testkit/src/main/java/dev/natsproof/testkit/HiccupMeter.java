package dev.natsproof.testkit;

import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The platform's own noise: a thread asks to sleep 1 ms again and again and records how late it
 * wakes up. When this control stalls, the machine (GC, scheduler, a noisy neighbour) stalled, and
 * no latency measured at the same time can pass or fail a gate.
 */
public final class HiccupMeter implements AutoCloseable {
  private static final long PARK_NANOS = 1_000_000L;
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private final Thread thread;
  private volatile boolean running = true;

  public HiccupMeter() {
    thread = new Thread(this::loop, "natsproof-hiccup-meter");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      long before = System.nanoTime();
      LockSupport.parkNanos(PARK_NANOS);
      long overshoot = System.nanoTime() - before - PARK_NANOS;
      recorder.recordValue(Math.max(0, overshoot) / 1000);
    }
  }

  /** Overshoot since the last call, in microseconds. */
  public synchronized Histogram interval() {
    Histogram h = recorder.getIntervalHistogram();
    total.add(h);
    return h;
  }

  /** Overshoot since start, in microseconds (includes the last interval). */
  public synchronized Histogram total() {
    interval();
    return total.copy();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
