package dev.natsproof.testkit;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

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
}
