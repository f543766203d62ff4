package dev.natsproof.chaos;

import java.time.Duration;

/**
 * A run's phases, every one bounded in time: quiet → {@code faultCycles} × (load, fault, heal) →
 * recovery load → drain (until the workload has everything, or {@code drainTimeout}).
 *
 * @param quiet load before the first fault
 * @param faultCycles faults injected (0 for a control run)
 * @param loadBetween load before each fault
 * @param faultDuration how long each fault lasts before its heal
 * @param recoveryLoad load after the last heal
 * @param drainTimeout how long the drain may wait
 * @param readyTimeout how long the first fault may wait for the workload to be ready for it
 */
public record Schedule(
    Duration quiet,
    int faultCycles,
    Duration loadBetween,
    Duration faultDuration,
    Duration recoveryLoad,
    Duration drainTimeout,
    Duration readyTimeout) {

  /** {@code cycles} faults, each after {@code between} of load and lasting {@code during}. */
  public static Schedule of(int cycles, Duration between, Duration during) {
    return new Schedule(
        Duration.ofSeconds(1),
        cycles,
        between,
        during,
        Duration.ofSeconds(2),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30));
  }

  /** No fault: the control run of a matrix. */
  public static Schedule control(Duration load) {
    return new Schedule(
        Duration.ofSeconds(1),
        0,
        Duration.ZERO,
        Duration.ZERO,
        load,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30));
  }

  public Schedule withDrainTimeout(Duration d) {
    return new Schedule(
        quiet, faultCycles, loadBetween, faultDuration, recoveryLoad, d, readyTimeout);
  }

  public Schedule withQuiet(Duration d) {
    return new Schedule(
        d, faultCycles, loadBetween, faultDuration, recoveryLoad, drainTimeout, readyTimeout);
  }

  public Schedule withRecoveryLoad(Duration d) {
    return new Schedule(
        quiet, faultCycles, loadBetween, faultDuration, d, drainTimeout, readyTimeout);
  }
}
