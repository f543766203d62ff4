package dev.natsproof.results;

import java.util.List;

/**
 * A capacity search: the largest room count (at {@code playersPerRoom} and {@code hz}) whose
 * fan-out gate passed, by bisection between {@code lo} and {@code hi}. Written as {@code
 * capacity-<client>[-<layout>].json}.
 *
 * @param client who was measured
 * @param layout the subscriber layout searched
 * @param largestPassingRooms the answer (0 when even {@code lo} failed)
 * @param attempts every attempt, in the order made
 */
public record CapacityRun(
    FanOutClient client,
    String layout,
    int lo,
    int hi,
    int largestPassingRooms,
    int playersPerRoom,
    int hz,
    int payloadBytes,
    long gateP99Micros,
    int durationSeconds,
    List<Attempt> attempts,
    Provenance provenance) {

  /**
   * One attempt: judged by the same fan-out gate, re-measured when the platform stalled.
   *
   * @param tries measurements made (UNKNOWN ones re-measured)
   */
  public record Attempt(
      int rooms,
      Verdict verdict,
      long p99Micros,
      long hiccupP99Micros,
      long deliveries,
      long expectedDeliveries,
      double clientCpuNanosPerDelivery,
      int tries,
      String reason) {}

  public String fileName() {
    return ResultsDir.capacityFile(client, layout);
  }
}
