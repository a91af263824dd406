package org.fedcxr.study;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fedcxr.eval.MetricsTables;

/**
 * What a finished study cell measured, read back from its federated run's tables: the test mean AUC per evaluated
 * round, the per-disease AUC of the last evaluated round (NaN where the test split has no positive or no negative)
 * and the run's training time.
 */
public record CellResult(StudyCell cell, Map<String, Double> perLabelAuc, Map<Integer, Double> roundMeanAuc,
    double seconds) {
  public CellResult {
    perLabelAuc = Collections.unmodifiableMap(new LinkedHashMap<>(perLabelAuc));
    roundMeanAuc = Collections.unmodifiableMap(new LinkedHashMap<>(roundMeanAuc));
  }

  /** The mean AUC of the last evaluated round. */
  public double finalMeanAuc() {
    double last = Double.NaN;
    for (double v : roundMeanAuc.values()) {
      last = v;
    }
    return last;
  }

  /**
   * Parses a federated run's {@code metrics.csv} (one row per round) and {@code metrics_per_label.csv} (one row per
   * evaluated round and label); {@code source} names them in errors.
   */
  public static CellResult parse(StudyCell cell, String metricsCsv, String perLabelCsv, String source) {
    Map<Integer, Double> meanAuc = MetricsTables.meanAucByRound(metricsCsv, source + "/metrics.csv");
    if (meanAuc.isEmpty()) {
      throw new IllegalArgumentException(source + "/metrics.csv has no evaluated round");
    }
    return new CellResult(cell, MetricsTables.lastRoundAuc(perLabelCsv, source + "/metrics_per_label.csv"), meanAuc,
        MetricsTables.seconds(metricsCsv, source + "/metrics.csv"));
  }
}
