package org.fedcxr.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fedcxr.fl.RoundReport;

/** The CSV tables of a federated run: one row per round, and one row per evaluated round and label. */
final class MetricsTables {
  private MetricsTables() {
  }

  static String rounds(List<RoundReport> history) {
    StringBuilder sb = new StringBuilder("round,clients_ok,clients_dropped,mean_client_loss,mean_auc,"
        + "mean_average_precision,seconds,train_seconds_per_slot,overhead_share\n");
    for (RoundReport r : history) {
      Object ap = r.evaluation().get("mean_average_precision");
      sb.append(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%s,%s,%.3f,%.3f,%.4f%n", r.round(), r.ok().size(),
          r.dropped().size(), r.meanLoss(), Double.isNaN(r.meanAuc()) ? "" : format(r.meanAuc()),
          ap == null ? "" : format(((Number) ap).doubleValue()), r.seconds(), r.trainSecondsPerSlot(),
          r.overheadShare()));
    }
    return sb.toString();
  }

  static String perLabel(List<RoundReport> history, List<String> labels) {
    StringBuilder sb = new StringBuilder("round,label,auc,average_precision,positives,negatives\n");
    for (RoundReport r : history) {
      if (!(r.evaluation().get("per_label") instanceof Map<?, ?> perLabel)) {
        continue;
      }
      for (String label : labels) {
        Map<?, ?> m = (Map<?, ?>) perLabel.get(label);
        sb.append(r.round()).append(',').append(label).append(',').append(cell(m.get("auc"))).append(',')
            .append(cell(m.get("average_precision"))).append(',').append(m.get("positives")).append(',')
            .append(m.get("negatives")).append('\n');
      }
    }
    return sb.toString();
  }

  private static String cell(Object v) {
    return v == null ? "" : format(((Number) v).doubleValue());
  }

  private static String format(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }
}
