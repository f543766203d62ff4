package dev.natsproof.benchmarks;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.MessageHandler;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The raw-jnats side of a consume comparison: filling the stream before the clock starts, and a
 * durable pull consumer with explicit acks, consumed with jnats's own {@code consume} at the same
 * batch (100) and pull expiry (1 s) as the broker's.
 */
public final class RawConsume {
  private RawConsume() {}

  /** Publishes {@code n} messages and returns once the server has acked every one of them. */
  public static void fill(JetStream js, String subject, int n, int payloadBytes)
      throws IOException, JetStreamApiException, InterruptedException {
    byte[] payload = new byte[payloadBytes];
    List<CompletableFuture<PublishAck>> acks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      acks.add(js.publishAsync(subject, payload));
    }
    for (CompletableFuture<PublishAck> f : acks) {
      try {
        f.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("filling " + subject + ": a publish was not acked: " + e, e);
      }
    }
  }

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
