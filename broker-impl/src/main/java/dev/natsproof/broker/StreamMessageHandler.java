package dev.natsproof.broker;

/**
 * Processes one JetStream message. If it throws, the broker naks the message (with the consumer's
 * backoff). If it returns without settling, what happens depends on {@link
 * ConsumeOptions#autoAck()}: with auto-ack the broker acks it; without (the default) it stays
 * unacknowledged and the server redelivers it after the ack wait.
 */
@FunctionalInterface
public interface StreamMessageHandler {
  void onMessage(StreamMessage message) throws Exception;
}
