package dev.natsproof.broker;

/**
 * A snapshot of a broker's counters, cumulative since it connected. Plain numbers so any metrics
 * system can read them without the API depending on one.
 *
 * @param published messages handed to the connection for sending
 * @param delivered messages handed to handlers (all subscriptions)
 * @param dropped messages received but not handed to a handler: latest-only replacements and client
 *     slow-consumer drops
 * @param slowConsumerEvents times the client reported a subscription as a slow consumer
 * @param handlerErrors handler invocations that threw
 * @param reconnects successful reconnects
 * @param disconnects connection losses
 * @param requestTimeouts requests that got no reply in time
 */
public record BrokerStats(
    long published,
    long delivered,
    long dropped,
    long slowConsumerEvents,
    long handlerErrors,
    long reconnects,
    long disconnects,
    long requestTimeouts) {}
