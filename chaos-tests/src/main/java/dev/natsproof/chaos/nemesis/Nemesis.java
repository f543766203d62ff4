package dev.natsproof.chaos.nemesis;

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
}
