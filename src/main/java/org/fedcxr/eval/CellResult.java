package org.fedcxr.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished study cell measured, read back from its federated run's tables: the test mean AUC per evaluated
 * round, the per-disease AUC of the last evaluated round (NaN where the test split has no positive or no negative)
 * and the run's training time.
 */
public record CellResult(StudyCell cell, Map<String, Double> perLabelAuc, Map<Integer, Double> roundMeanAuc,
    double seconds) {
  public CellResult {
    perLabelAuc = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perLabelAuc));
    roundMeanAuc = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(roundMeanAuc));
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
    List<String[]> rounds = rows(metricsCsv, "round", source + "/metrics.csv");
    Map<Integer, Double> meanAuc = new LinkedHashMap<>();
    double seconds = 0;
    int aucCol = column(metricsCsv, "mean_auc", source + "/metrics.csv");
    int secCol = column(metricsCsv, "seconds", source + "/metrics.csv");
    for (String[] r : rounds) {
      seconds += Double.parseDouble(r[secCol]);
      if (aucCol < r.length && !r[aucCol].isEmpty()) {
        meanAuc.put(Integer.parseInt(r[0]), Double.parseDouble(r[aucCol]));
      }
    }
    if (meanAuc.isEmpty()) {
      throw new IllegalArgumentException(source + "/metrics.csv has no evaluated round");
    }
    int last = -1;
    for (String[] r : rows(perLabelCsv, "round", source + "/metrics_per_label.csv")) {
      last = Math.max(last, Integer.parseInt(r[0]));
    }
    Map<String, Double> perLabel = new LinkedHashMap<>();
    for (String[] r : rows(perLabelCsv, "round", source + "/metrics_per_label.csv")) {
      if (Integer.parseInt(r[0]) == last) {
        perLabel.put(r[1], r[2].isEmpty() ? Double.NaN : Double.parseDouble(r[2]));
      }
    }
    return new CellResult(cell, perLabel, meanAuc, seconds);
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

  private static List<String[]> rows(String csv, String firstColumn, String source) {
    List<String> lines = csv.lines().filter(l -> !l.isBlank()).toList();
    if (lines.isEmpty() || !lines.get(0).startsWith(firstColumn + ",")) {
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
