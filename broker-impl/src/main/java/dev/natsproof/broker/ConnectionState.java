package dev.natsproof.broker;

public enum ConnectionState {
  CONNECTED,
  RECONNECTING,
  DISCONNECTED,
  CLOSED
}
