package dev.natsproof.benchmarks;

import dev.natsproof.broker.BrokerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --server} argument of the command-line tools: one URL, or a comma-separated list for a
 * cluster. The broker accepted a list while the raw-jnats clients were handed the whole string as
 * one URL; every tool now splits it here, with the broker's own rule for what a URL is.
 */
public final class ServerUrls {
  private ServerUrls() {}

  /**
   * @throws IllegalArgumentException naming the part that is not {@code nats://host:port}
   */
  public static List<String> parse(String arg) {
    if (arg == null || arg.isBlank()) {
      throw new IllegalArgumentException(
          "--server needs nats://host:port, or a comma-separated list for a cluster");
    }
    List<String> urls = new ArrayList<>();
    for (String part : arg.split(",", -1)) {
      String url = part.trim();
      try {
        BrokerOptions.builder().servers(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--server " + arg + ": " + e.getMessage(), e);
      }
      urls.add(url);
    }
    return List.copyOf(urls);
  }
}
