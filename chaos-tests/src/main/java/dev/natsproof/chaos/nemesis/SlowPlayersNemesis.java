package dev.natsproof.chaos.nemesis;

import dev.natsproof.chaos.core.CoreLoad;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Slow players join a Core load for the fault's window: one whose handler takes 50 ms, and (when
 * the load has a slow link) a spectator of every room behind a link capped at {@code kbPerSecond}
 * downstream, so the server's socket to it backs up. What they cost the room server and the other
 * players is the measurement; the server's handling of that changed between versions (up to 2.10.25
 * it stalls the publisher 100 ms–1 s per stall, from 2.10.26 a few ms).
 */
public final class SlowPlayersNemesis implements Nemesis {
  private final CoreLoad load;
  private final Proxy slowLink;
  private final long kbPerSecond;

  public SlowPlayersNemesis(CoreLoad load, Proxy slowLink, long kbPerSecond) {
    this.load = load;
    this.slowLink = slowLink;
    this.kbPerSecond = kbPerSecond;
  }

  @Override
  public String name() {
    return slowLink == null ? "slow-handler" : "slow-players-" + kbPerSecond + "kbps";
  }

  @Override
  public void inject() {
    load.joinSlowPlayers(); // connected and subscribed first: a held link would hold the handshake
    if (slowLink != null) {
      try {
        slowLink.toxics().bandwidth("slow-player", ToxicDirection.DOWNSTREAM, kbPerSecond);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot cap the slow link", e);
      }
    }
  }

  @Override
  public void heal() {
    load.leaveSlowPlayers();
    if (slowLink != null) {
      try {
        slowLink.toxics().get("slow-player").remove();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lift the slow link's cap", e);
      }
    }
  }
}
