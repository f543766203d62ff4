package dev.natsproof.results;

import java.util.List;
import java.util.Map;

/**
 * The gates of one results folder, as evaluated by the {@link GateEngine}, written as {@code
 * gates.json}.
 *
 * @param overall the worst gate
 * @param gates every gate
 * @param ratios broker/raw-jnats ratios found (reported, never gated by themselves)
 */
public record GateReport(Verdict overall, List<GateResult> gates, Map<String, String> ratios) {
  public static GateReport of(List<GateResult> gates, Map<String, String> ratios) {
    return new GateReport(
        Verdict.worst(gates.stream().map(GateResult::verdict).toList()), gates, ratios);
  }
}
