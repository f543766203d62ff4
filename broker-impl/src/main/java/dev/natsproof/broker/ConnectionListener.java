package dev.natsproof.broker;

/** Receives {@link ConnectionEvent}s; called on a client thread, so keep it quick. */
@FunctionalInterface
public interface ConnectionListener {
  void onEvent(ConnectionEvent event);
}
