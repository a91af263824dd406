package org.fedcxr.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fedcxr.fl.RoundReport;
import org.fedcxr.model.EvaluationResult;

/**
 * The CSV tables of evaluations, written and read here only: {@code metrics.csv} (one row per federated round) and
 * {@code metrics_per_label.csv} (one row per evaluated round and label; round 0 for a single evaluation, as written by
 * {@code evaluate} and {@code probe}). Undefined values are empty cells.
 */
public final class MetricsTables {
  private static final String ROUNDS_HEADER = "round,clients_ok,clients_dropped,mean_client_loss,mean_auc,"
      + "mean_average_precision,seconds,train_seconds_per_slot,overhead_share";
  private static final String PER_LABEL_HEADER = "round,label,auc,average_precision,positives,negatives";

  private MetricsTables() {
  }

  /** {@code metrics.csv} of a federated run. */
  public static String rounds(List<RoundReport> history) {
    StringBuilder sb = new StringBuilder(ROUNDS_HEADER).append('\n');
    for (RoundReport r : history) {
      sb.append(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%s,%s,%.3f,%.3f,%.4f%n", r.round(), r.ok().size(),
          r.dropped().size(), r.meanLoss(), cell(r.evaluation().meanAuc()),
          cell(r.evaluation().meanAveragePrecision()), r.seconds(), r.trainSecondsPerSlot(), r.overheadShare()));
    }
    return sb.toString();
  }

  /** {@code metrics_per_label.csv} of a federated run: its evaluated rounds. */
  public static String perLabel(List<RoundReport> history, List<String> labels) {
    StringBuilder sb = new StringBuilder(PER_LABEL_HEADER).append('\n');
    for (RoundReport r : history) {
      if (r.evaluation().perLabel().isEmpty()) {
        continue;
      }
      appendLabels(sb, r.round(), r.evaluation(), labels);
    }
    return sb.toString();
  }

  /** {@code metrics_per_label.csv} of one evaluation (round 0). */
  public static String perLabel(EvaluationResult result, List<String> labels) {
    return appendLabels(new StringBuilder(PER_LABEL_HEADER).append('\n'), 0, result, labels).toString();
  }

  private static StringBuilder appendLabels(StringBuilder sb, int round, EvaluationResult result,
      List<String> labels) {
    for (String label : labels) {
      EvaluationResult.LabelResult m = result.perLabel().get(label);
      sb.append(round).append(',').append(label).append(',').append(cell(m.auc())).append(',')
          .append(cell(m.averagePrecision())).append(',').append(m.positives()).append(',').append(m.negatives())
          .append('\n');
    }
    return sb;
  }

  /** The mean AUC of each evaluated round of a {@code metrics.csv}; {@code source} names it in errors. */
  public static Map<Integer, Double> meanAucByRound(String metricsCsv, String source) {
    int aucCol = column(metricsCsv, "mean_auc", source);
    Map<Integer, Double> out = new LinkedHashMap<>();
    for (String[] r : rows(metricsCsv, source)) {
      if (aucCol < r.length && !r[aucCol].isEmpty()) {
        out.put(Integer.parseInt(r[0]), Double.parseDouble(r[aucCol]));
      }
    }
    return out;
  }

  /** The total of the {@code seconds} column of a {@code metrics.csv}. */
  public static double seconds(String metricsCsv, String source) {
    int secCol = column(metricsCsv, "seconds", source);
    double seconds = 0;
    for (String[] r : rows(metricsCsv, source)) {
      seconds += Double.parseDouble(r[secCol]);
    }
    return seconds;
  }

  /** The AUC per label of the last round of a {@code metrics_per_label.csv}, NaN where undefined. */
  public static Map<String, Double> lastRoundAuc(String perLabelCsv, String source) {
    List<String[]> rows = rows(perLabelCsv, source);
    int last = -1;
    for (String[] r : rows) {
      last = Math.max(last, Integer.parseInt(r[0]));
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String[] r : rows) {
      if (Integer.parseInt(r[0]) == last) {
        out.put(r[1], r[2].isEmpty() ? Double.NaN : Double.parseDouble(r[2]));
      }
    }
    return out;
  }

  private static String cell(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.6f", v);
  }

  private static int column(String csv, String name, String source) {
    String[] header = csv.lines().findFirst().orElse("").split(",", -1);
    for (int i = 0; i < header.length; i++) {
      if (header[i].equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(source + " has no column " + name);
  }

  private static List<String[]> rows(String csv, String source) {
    List<String> lines = csv.lines().filter(l -> !l.isBlank()).toList();
    if (lines.isEmpty() || !lines.get(0).startsWith("round,")) {
      throw new IllegalArgumentException(source + " is not a metrics table (header " + (lines.isEmpty() ? "missing"
          : lines.get(0)) + ")");
    }
    List<String[]> out = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      out.add(l.split(",", -1));
    }
    return out;
  }
}
