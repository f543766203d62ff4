package dev.natsproof.chaos;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The drain phase's wait: until a condition over what other threads recorded holds (every acked
 * value delivered, every battle in the ledger), or a bound. The condition has no event of its own,
 * so it is checked every 50 ms. Running out of time is not an error here: the checker judges
 * whatever state the run ended in.
 */
public final class Drain {
  private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private Drain() {}

  /**
   * @return whether the condition held before the bound
   */
  public static boolean until(BooleanSupplier done, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!done.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      LockSupport.parkNanos(Math.min(left, CHECK_NANOS));
    }
    return true;
  }
}
