package dev.natsproof.benchmarks;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.MessageHandler;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.io.IOException;

/**
 * The raw-jnats side of a consume comparison: a durable pull consumer with explicit acks, consumed
 * with jnats's own {@code consume} at the same batch (100) and pull expiry (1 s) as the broker's.
 */
public final class RawConsume {
  private RawConsume() {}

  public static MessageConsumer start(
      Connection nc, String stream, String durable, MessageHandler handler)
      throws IOException, JetStreamApiException {
    return nc.getStreamContext(stream)
        .createOrUpdateConsumer(
            ConsumerConfiguration.builder().durable(durable).ackPolicy(AckPolicy.Explicit).build())
        .consume(
            io.nats.client.ConsumeOptions.builder().batchSize(100).expiresIn(1000).build(),
            handler);
  }
}
