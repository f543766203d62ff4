package dev.natsproof.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** POSIX signals the JDK cannot send (it only has SIGTERM and SIGKILL). */
final class Signals {
  private Signals() {}

  static void send(String signal, long pid) {
    try {
      Process p =
          new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not return in 10 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + signal + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending SIG" + signal + " to " + pid, e);
    }
  }

  /**
   * Waits until every thread of {@code pid} is stopped. {@code kill -STOP} returns once the signal
   * is queued, not once the process stands still: a publish sent right after it was seen acked by
   * nats-server 2.15.1 (a thread still running on the other core).
   */
  static void awaitStopped(long pid, Duration timeout) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    if (!Files.isDirectory(tasks)) {
      return; // not Linux: nothing to look at, the signal alone has to do
    }
    try {
      Awaitility.await("all threads of pid " + pid + " stopped")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(1))
          .until(() -> allStopped(tasks));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "pid " + pid + " was sent SIGSTOP but is still running after " + timeout, e);
    }
  }

  private static boolean allStopped(Path tasks) throws IOException {
    List<Path> threads;
    try (Stream<Path> s = Files.list(tasks)) {
      threads = s.toList();
    }
    for (Path t : threads) {
      String stat;
      try {
        stat = Files.readString(t.resolve("stat"));
      } catch (IOException gone) {
        continue; // the thread exited
      }
      // "tid (comm) S ...": the state follows the last ')', as comm may hold spaces or parens.
      int close = stat.lastIndexOf(')');
      char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
      if (state != 'T' && state != 't') {
        return false;
      }
    }
    return true;
  }
}
