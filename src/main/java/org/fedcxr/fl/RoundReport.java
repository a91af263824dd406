package org.fedcxr.fl;

import java.util.List;
import java.util.Map;
import org.fedcxr.model.EvaluationResult;

/**
 * One round's outcome: clients that reported and dropped (with reasons), their mean training loss, the evaluation
 * (empty when the round was not evaluated), the round's wall time and the client training time per training slot
 * (one per executor JVM, since one training runs per JVM at a time), and the wall time of the round's phases
 * ({@code client_tasks}, {@code fetch_merge}, {@code evaluate}, {@code checkpoint}).
 */
public record RoundReport(int round, List<Integer> ok, Map<Integer, String> dropped, double meanLoss,
    EvaluationResult evaluation, double seconds, double trainSecondsPerSlot, Map<String, Double> phases) {
  /** The evaluation's mean AUC, or NaN when not evaluated. */
  public double meanAuc() {
    Double v = evaluation.meanAuc();
    return v == null ? Double.NaN : v;
  }

  /** Share of the round not spent training in client tasks (per training slot). */
  public double overheadShare() {
    return seconds <= 0 ? 0 : Math.max(0, (seconds - trainSecondsPerSlot) / seconds);
  }
}
