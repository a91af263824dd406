package org.fedcxr.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.fedcxr.model.DiseaseScorer;
import org.fedcxr.model.EvaluationResult;
import scala.Tuple2;

/**
 * Scores a test set with a {@link DiseaseScorer} and computes, per label, ROC AUC and average precision (area under
 * the precision-recall curve) with MLlib's {@link BinaryClassificationMetrics}, exact (no binning). Images whose
 * label is unknown (NaN) are left out for that label. A label with no positive or no negative is undefined: it is
 * reported as such and left out of the means.
 */
public final class Evaluator {
  private Evaluator() {
  }

  public static EvaluationResult evaluate(Dataset<Row> test, DiseaseScorer scorer, List<String> labels) {
    return evaluateScored(scorer.transform(test), labels);
  }

  /** The same metrics for a frame that already has {@code labels} and {@code probabilities} columns. */
  public static EvaluationResult evaluateScored(Dataset<Row> scoredFrame, List<String> labels) {
    JavaRDD<Row> scored = scoredFrame.select("labels", "probabilities").javaRDD()
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, EvaluationResult.LabelResult> perLabel = new LinkedHashMap<>();
      long[] counts = labelCounts(scored, labels.size());
      for (int k = 0; k < labels.size(); k++) {
        int label = k;
        long positives = counts[2 * k];
        long total = counts[2 * k + 1];
        Double auc = null;
        Double ap = null;
        if (positives > 0 && positives < total) {
          BinaryClassificationMetrics metrics = new BinaryClassificationMetrics(pairs(scored, label).rdd());
          auc = metrics.areaUnderROC();
          ap = metrics.areaUnderPR();
          metrics.unpersist();
        }
        perLabel.put(labels.get(k), new EvaluationResult.LabelResult(positives, total - positives, auc, ap));
      }
      return new EvaluationResult(perLabel);
    } finally {
      scored.unpersist();
    }
  }

  /** (probability, label) of one label over rows of (labels, probabilities), images with that label unknown left out. */
  static JavaRDD<Tuple2<Object, Object>> pairs(JavaRDD<Row> scored, int label) {
    return scored.filter(r -> !Float.isNaN(((Number) r.getList(0).get(label)).floatValue()))
        .map(r -> new Tuple2<>((Object) ((Number) r.getList(1).get(label)).doubleValue(),
            (Object) ((Number) r.getList(0).get(label)).doubleValue()));
  }

  /** Per label: positives at 2k, known (not NaN) labels at 2k + 1; one pass over the scored rows. */
  static long[] labelCounts(JavaRDD<Row> scored, int labels) {
    return scored.aggregate(new long[2 * labels], (acc, r) -> {
      for (int k = 0; k < labels; k++) {
        float v = ((Number) r.getList(0).get(k)).floatValue();
        if (!Float.isNaN(v)) {
          acc[2 * k + 1]++;
          if (v == 1f) {
            acc[2 * k]++;
          }
        }
      }
      return acc;
    }, (a, b) -> {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    });
  }

  /**
   * The exact ROC AUC by ranks (Mann-Whitney U / (n_pos · n_neg), tied scores sharing their mean rank); used to
   * check MLlib's figure.
   */
  public static double rankAuc(double[] scores, boolean[] positive) {
    int n = scores.length;
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.comparingDouble(i -> scores[i]));
    double[] rank = new double[n];
    for (int i = 0; i < n; ) {
      int j = i;
      while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) {
        j++;
      }
      double mean = (i + j) / 2.0 + 1;
      for (int t = i; t <= j; t++) {
        rank[idx[t]] = mean;
      }
      i = j + 1;
    }
    long pos = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      if (positive[i]) {
        pos++;
        sum += rank[i];
      }
    }
    long neg = n - pos;
    return (sum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }
}
