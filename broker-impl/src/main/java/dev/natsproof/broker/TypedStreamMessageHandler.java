package dev.natsproof.broker;

/**
 * Handles a stream message whose payload a {@link Codec} decoded; {@code message} settles it (ack,
 * nak, term) as with {@link StreamMessageHandler}.
 *
 * @param <T> the payload's type
 */
@FunctionalInterface
public interface TypedStreamMessageHandler<T> {
  void onMessage(T value, StreamMessage message) throws Exception;
}
