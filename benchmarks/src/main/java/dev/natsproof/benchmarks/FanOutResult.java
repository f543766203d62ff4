package dev.natsproof.benchmarks;

/**
 * One open-loop room fan-out run. Latency = receive time − intended send time, for every delivery
 * of the recorded phase.
 *
 * @param workload what was asked
 * @param provenance where it ran
 * @param variant "broker" (natsproof's Core broker) or "raw-jnats"
 * @param framesPublished frames published in the recorded phase
 * @param expectedDeliveries frames × players
 * @param deliveries deliveries received for recorded-phase frames
 * @param missingDeliveries expected − received after the drain deadline
 * @param latency fan-out latency
 * @param publisherLateness how late each publish was against its schedule
 * @param hiccup the hiccup control, run at the same time
 * @param slowConsumerEvents client slow-consumer reports
 * @param droppedMessages messages the client dropped
 * @param clientCpuNanosPerDelivery JVM CPU time over the recorded phase / deliveries
 * @param achievedDeliveriesPerSecond deliveries / recorded seconds
 * @param error why the run failed, or null
 */
public record FanOutResult(
    Workload workload,
    Provenance provenance,
    String variant,
    long framesPublished,
    long expectedDeliveries,
    long deliveries,
    long missingDeliveries,
    Percentiles latency,
    Percentiles publisherLateness,
    Percentiles hiccup,
    long slowConsumerEvents,
    long droppedMessages,
    double clientCpuNanosPerDelivery,
    double achievedDeliveriesPerSecond,
    String error) {}
