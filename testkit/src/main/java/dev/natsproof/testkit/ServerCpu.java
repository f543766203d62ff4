package dev.natsproof.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The CPU time real nats-server processes used, for "server CPU per delivery". A reading names the
 * processes it summed; the difference of two readings exists only when the same processes ran
 * throughout (a restart in between starts a new process whose earlier CPU is not known).
 */
public final class ServerCpu {
  private ServerCpu() {}

  /** One reading: the pids and their summed CPU time. */
  public record Reading(List<Long> pids, long cpuNanos) {
    /** CPU since {@code earlier}, if the same processes ran throughout. */
    public OptionalLong since(Reading earlier) {
      if (earlier == null || !pids.equals(earlier.pids) || cpuNanos < earlier.cpuNanos) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(cpuNanos - earlier.cpuNanos);
    }
  }

  /** Reads the servers now (a server not running makes the reading's pids differ). */
  public static Reading read(List<NatsServer> servers) {
    List<Long> pids = new ArrayList<>();
    long sum = 0;
    for (NatsServer s : servers) {
      long pid = s.isRunning() ? s.pid() : -1;
      pids.add(pid);
      if (pid > 0) {
        sum += cpuNanos(pid);
      }
    }
    return new Reading(List.copyOf(pids), sum);
  }

  /** The summed CPU of fixed processes, as a clock to sample. */
  public static LongSupplier processCpuNanos(List<Long> pids) {
    return () -> {
      long sum = 0;
      for (long pid : pids) {
        sum += cpuNanos(pid);
      }
      return sum;
    };
  }

  static long cpuNanos(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(p -> p.info().totalCpuDuration())
        .map(Duration::toNanos)
        .orElse(0L);
  }
}
