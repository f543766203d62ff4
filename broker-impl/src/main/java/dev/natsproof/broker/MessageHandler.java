package dev.natsproof.broker;

/**
 * Receives Core messages. Called on the subscription's own dispatch thread, one message at a time;
 * an exception thrown here is counted ({@link BrokerStats#handlerErrors()}) and the next message is
 * still delivered.
 */
@FunctionalInterface
public interface MessageHandler {
  void onMessage(Message message) throws Exception;
}
