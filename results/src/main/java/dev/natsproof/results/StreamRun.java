package dev.natsproof.results;

/**
 * One JetStream end-to-end run at a fixed rate. Latencies are from each message's intended enqueue
 * time. Written as {@code <spec name>.json}.
 *
 * @param spec what was asked
 * @param provenance where it ran
 * @param acked messages of the recorded phase whose enqueue was acked
 * @param delivered of those, how many reached the handler
 * @param missingAcked acked messages (any phase) that never reached the handler: must be 0
 * @param duplicateDeliveries deliveries of a message the handler already had
 * @param notAcked enqueues rejected or left indeterminate: must be 0
 * @param endToEnd intended enqueue time → handler
 * @param enqueue intended enqueue time → PubAck
 * @param hiccup the hiccup control, run at the same time
 * @param achievedPerSecond acked messages / recorded seconds
 * @param serverCpuNanosPerMessage nats-server CPU per acked message, or -1 if not measured
 * @param error why the run failed (loss, unacked enqueue, nothing delivered), or null
 */
public record StreamRun(
    StreamRunSpec spec,
    Provenance provenance,
    long acked,
    long delivered,
    long missingAcked,
    long duplicateDeliveries,
    long notAcked,
    Percentiles endToEnd,
    Percentiles enqueue,
    Percentiles hiccup,
    double achievedPerSecond,
    double serverCpuNanosPerMessage,
    String error) {

  public String name() {
    return spec.name();
  }
}
