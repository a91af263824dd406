package org.fedcxr.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Per-disease decision thresholds on the probabilities: a finding is reported when its probability is at least its
 * threshold. Chosen on a labelled split (never the test split) as the threshold with the highest F1 on it (MLlib's
 * {@link BinaryClassificationMetrics#fMeasureByThreshold}); a disease with no positive or no negative there gets
 * none and is never reported. Stored as CSV: {@code label,threshold,f1,positives,split} (F1 and positives on the
 * split they were chosen on; empty in a file written by hand).
 */
public record Thresholds(String split, Map<String, Double> byLabel, Map<String, Double> f1,
    Map<String, Long> positives) {
  /** The CSV header. */
  public static final String HEADER = "label,threshold,f1,positives,split";

  /** Chooses thresholds on a frame with {@code labels} and {@code probabilities} columns from split {@code split}. */
  public static Thresholds choose(Dataset<Row> scored, List<String> labels, String split) {
    if (split.equals("test") || split.equals("all")) {
      throw new IllegalArgumentException("thresholds are never chosen on the test split (asked: " + split + ")");
    }
    JavaRDD<Row> rows = scored.select("labels", "probabilities").javaRDD().persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Double> out = new LinkedHashMap<>();
      Map<String, Double> f1s = new LinkedHashMap<>();
      Map<String, Long> pos = new LinkedHashMap<>();
      long[] counts = Evaluator.labelCounts(rows, labels.size());
      for (int k = 0; k < labels.size(); k++) {
        long positives = counts[2 * k];
        pos.put(labels.get(k), positives);
        if (positives == 0 || positives == counts[2 * k + 1]) {
          continue;
        }
        BinaryClassificationMetrics metrics = new BinaryClassificationMetrics(Evaluator.pairs(rows, k).rdd());
        double best = -1;
        double threshold = Double.NaN;
        for (Tuple2<Object, Object> t : metrics.fMeasureByThreshold().toJavaRDD().collect()) {
          double f1 = (Double) t._2();
          if (f1 > best) { // descending thresholds: ties keep the higher one
            best = f1;
            threshold = (Double) t._1();
          }
        }
        metrics.unpersist();
        out.put(labels.get(k), threshold);
        f1s.put(labels.get(k), best);
      }
      return new Thresholds(split, out, f1s, pos);
    } finally {
      rows.unpersist();
    }
  }

  /** The CSV form, one line per label in {@code labels} (an undefined one with an empty threshold). */
  public String csv(List<String> labels) {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    for (String l : labels) {
      Double t = byLabel.get(l);
      Double f = f1.get(l);
      Long p = positives.get(l);
      b.append(l).append(',').append(t == null ? "" : Double.toString(t)).append(',')
          .append(f == null ? "" : String.format(Locale.ROOT, "%.4f", f)).append(',').append(p == null ? "" : p)
          .append(',').append(split == null ? "" : split).append('\n');
    }
    return b.toString();
  }

  /**
   * Reads thresholds for a model's {@code labels} from CSV text ({@code file} names it in errors): a label the model
   * does not have, a threshold outside [0, 1] or a malformed line is an error; a label without a line or with an
   * empty threshold has none.
   */
  public static Thresholds parse(String text, List<String> labels, String file) {
    String[] lines = text.split("\r?\n");
    if (lines.length == 0 || !lines[0].trim().startsWith("label,threshold")) {
      throw new IllegalArgumentException(file + ": the first line must be the header '" + HEADER + "' (at least "
          + "label,threshold)");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    String split = null;
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] f = lines[i].split(",", -1);
      String label = f[0].trim();
      if (!labels.contains(label)) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": unknown label '" + label + "' (the model's: "
            + labels + ")");
      }
      if (f.length < 2) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": no threshold column");
      }
      if (f.length >= 5 && !f[4].isBlank()) {
        split = f[4].trim();
      }
      if (f[1].isBlank()) {
        continue;
      }
      double t;
      try {
        t = Double.parseDouble(f[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": threshold '" + f[1] + "' is not a number");
      }
      if (!(t >= 0 && t <= 1)) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": threshold " + t + " is outside [0, 1]");
      }
      out.put(label, t);
    }
    return new Thresholds(split, out, Map.of(), Map.of());
  }

  /** The labels with a threshold, in {@code labels} order. */
  public List<String> defined(List<String> labels) {
    List<String> out = new ArrayList<>();
    for (String l : labels) {
      if (byLabel.containsKey(l)) {
        out.add(l);
      }
    }
    return out;
  }
}
