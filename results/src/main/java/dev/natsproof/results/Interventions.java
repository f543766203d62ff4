package dev.natsproof.results;

/**
 * What the broker did on its own during a run, counted so that no recovery hides a server problem:
 * fresh pulls, resets through the server's consumer reset API, durables created again after they
 * vanished, and wedges seen (reported, not acted on where the server has no reset API).
 */
public record Interventions(long repulls, long resets, long recreations, long wedges) {
  public static final Interventions NONE = new Interventions(0, 0, 0, 0);

  public Interventions plus(Interventions o) {
    return new Interventions(
        repulls + o.repulls, resets + o.resets, recreations + o.recreations, wedges + o.wedges);
  }

  public boolean any() {
    return repulls + resets + recreations + wedges > 0;
  }
}
