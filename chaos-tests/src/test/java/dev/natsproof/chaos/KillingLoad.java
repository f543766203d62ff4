package dev.natsproof.chaos;

import dev.natsproof.chaos.nemesis.Nemesis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** Runs writer loops for a bounded time while a nemesis strikes {@code faults} times. */
final class KillingLoad {
  private KillingLoad() {}

  /**
   * @param writers loops that run until the flag they get is set
   */
  static void run(
      History h, Nemesis nemesis, int faults, Duration total, List<Consumer<AtomicBoolean>> writers)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < writers.size(); i++) {
      Consumer<AtomicBoolean> w = writers.get(i);
      Thread t = new Thread(() -> w.accept(stop), "business-writer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long slot = total.toMillis() / (faults + 1);
    for (int f = 0; f < faults; f++) {
      Thread.sleep(slot); // the schedule: load between faults
      h.event("nemesis", "fault", nemesis.name(), 0, 0, null);
      nemesis.inject();
      nemesis.heal();
      h.event("nemesis", "heal", nemesis.name(), 0, 0, null);
    }
    Thread.sleep(slot);
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
    }
  }
}
