package dev.natsproof.results;

import java.util.List;

/**
 * One open-loop room fan-out run. Latency = receive time − intended send time, for every delivery
 * of the recorded phase. Written as {@code fanout-<workload>-<client>.json}.
 *
 * @param workload what was asked
 * @param provenance where it ran
 * @param client which client measured
 * @param framesPublished frames published in the recorded phase
 * @param expectedDeliveries frames × players
 * @param deliveries deliveries received for recorded-phase frames (latest-only: handed to players)
 * @param missingDeliveries expected − received after the drain deadline (latest-only: frames
 *     neither handed over nor replaced by a newer one)
 * @param framesReplaced latest-only: frames replaced by a newer one before the handler took them
 *     (dropped by design), 0 for the other clients
 * @param frameAgeAtHandler latest-only: how old the frame a handler takes is, from its intended
 *     send time
 * @param latency fan-out latency
 * @param publisherLateness how late each publish was against its schedule
 * @param hiccup the hiccup control, run at the same time
 * @param slowConsumerEvents client slow-consumer reports
 * @param droppedMessages messages the client dropped
 * @param clientCpuNanosPerDelivery JVM CPU time over the recorded phase / deliveries
 * @param serverCpuNanosPerDelivery nats-server CPU time over the recorded phase / deliveries, or -1
 *     when the server is not ours to measure (an external server)
 * @param achievedDeliveriesPerSecond deliveries / recorded seconds
 * @param error why the run failed, or null
 * @param remeasured why earlier attempts of this run were measured again (the hiccup control saw
 *     the platform stall), one line each; empty when the first attempt stood
 */
public record FanOutRun(
    Workload workload,
    Provenance provenance,
    FanOutClient client,
    long framesPublished,
    long expectedDeliveries,
    long deliveries,
    long missingDeliveries,
    long framesReplaced,
    Percentiles frameAgeAtHandler,
    Percentiles latency,
    Percentiles publisherLateness,
    Percentiles hiccup,
    long slowConsumerEvents,
    long droppedMessages,
    double clientCpuNanosPerDelivery,
    double serverCpuNanosPerDelivery,
    double achievedDeliveriesPerSecond,
    String error,
    List<String> remeasured) {

  public FanOutRun {
    remeasured = remeasured == null ? List.of() : List.copyOf(remeasured);
  }

  /** The same run, noting the earlier attempts that were measured again. */
  public FanOutRun withRemeasured(List<String> reasons) {
    return new FanOutRun(
        workload,
        provenance,
        client,
        framesPublished,
        expectedDeliveries,
        deliveries,
        missingDeliveries,
        framesReplaced,
        frameAgeAtHandler,
        latency,
        publisherLateness,
        hiccup,
        slowConsumerEvents,
        droppedMessages,
        clientCpuNanosPerDelivery,
        serverCpuNanosPerDelivery,
        achievedDeliveriesPerSecond,
        error,
        reasons);
  }

  /** The file name this run is stored under. */
  public String fileName() {
    return ResultsDir.fanOutFile(workload.name(), client);
  }
}
