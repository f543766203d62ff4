package dev.natsproof.chaos.nemesis;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A Toxiproxy toxic on a client link while injected, removed on heal; or, with type "blackhole",
 * the proxy disabled (every connection dropped, new ones refused) and enabled again.
 */
public final class ToxicNemesis implements Nemesis {
  private final Proxy proxy;
  private final String type;
  private final ToxicDirection direction;
  private final long value;

  /**
   * @param type latency, bandwidth, timeout, reset_peer, limit_data, slicer, slow_close, blackhole
   * @param value the toxic's main attribute (ms, KB/s, bytes, slice size)
   */
  public ToxicNemesis(Proxy proxy, String type, ToxicDirection direction, long value) {
    this.proxy = proxy;
    this.type = type;
    this.direction = direction;
    this.value = value;
  }

  private String toxicName() {
    return "chaos-" + type + "-" + direction.name().toLowerCase();
  }

  @Override
  public String name() {
    return type.equals("blackhole")
        ? "blackhole"
        : type + "-" + direction.name().toLowerCase() + "-" + value;
  }

  @Override
  public void inject() {
    try {
      var t = proxy.toxics();
      switch (type) {
        case "blackhole" -> proxy.disable();
        case "latency" -> t.latency(toxicName(), direction, value).setJitter(value / 2);
        case "bandwidth" -> t.bandwidth(toxicName(), direction, value);
        case "timeout" -> t.timeout(toxicName(), direction, value);
        case "reset_peer" -> t.resetPeer(toxicName(), direction, value);
        case "limit_data" -> t.limitData(toxicName(), direction, value);
        case "slicer" -> t.slicer(toxicName(), direction, value, value / 2).setDelay(100);
        case "slow_close" -> t.slowClose(toxicName(), direction, value);
        default -> throw new IllegalArgumentException("unknown toxic type " + type);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot inject " + name(), e);
    }
  }

  @Override
  public void heal() {
    try {
      if (type.equals("blackhole")) {
        proxy.enable();
      } else {
        proxy.toxics().get(toxicName()).remove();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot heal " + name(), e);
    }
  }
}
