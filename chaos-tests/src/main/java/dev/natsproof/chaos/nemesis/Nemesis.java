package dev.natsproof.chaos.nemesis;

import java.util.Map;
import java.util.function.Consumer;

/**
 * A fault: {@link #inject()} causes it, {@link #heal()} ends it. Both return when done (a heal that
 * restarts a server returns once the process is ready again).
 */
public interface Nemesis {
  String name();

  void inject();

  void heal();

  /** What this fault can and cannot show, for the verdict file. */
  default String limits() {
    return "";
  }

  /**
   * Where the steps inside a fault go (which node stopped, started, became healthy), so that a
   * failure can be placed on the fault's own timeline. A nemesis with one step reports nothing.
   */
  default void onStep(Consumer<String> steps) {}

  /** What the servers themselves hold after the run, each node asked on its own. */
  default Map<String, Object> postMortem() {
    return Map.of();
  }
}
