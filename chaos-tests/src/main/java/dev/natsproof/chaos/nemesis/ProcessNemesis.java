package dev.natsproof.chaos.nemesis;

import dev.natsproof.testkit.NatsServer;

/** Crash (SIGKILL), graceful stop (SIGTERM) or freeze (SIGSTOP) of one real nats-server. */
public final class ProcessNemesis implements Nemesis {
  public enum Mode {
    KILL,
    TERM,
    PAUSE
  }

  private final NatsServer server;
  private final Mode mode;

  public ProcessNemesis(NatsServer server, Mode mode) {
    this.server = server;
    this.mode = mode;
  }

  @Override
  public String name() {
    return switch (mode) {
      case KILL -> "kill-9";
      case TERM -> "sigterm";
      case PAUSE -> "pause";
    };
  }

  @Override
  public void inject() {
    switch (mode) {
      case KILL -> server.kill();
      case TERM -> server.stop();
      case PAUSE -> server.pause();
    }
  }

  @Override
  public void heal() {
    if (mode == Mode.PAUSE) {
      server.resume();
    } else {
      server.start();
    }
  }

  @Override
  public String limits() {
    return mode == Mode.KILL
        ? "SIGKILL keeps the OS page cache: written-but-not-fsynced data survives, so this is not"
            + " a power failure or OS crash"
        : "";
  }
}
