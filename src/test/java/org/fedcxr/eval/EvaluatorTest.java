package org.fedcxr.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-label metrics when a label cannot be scored: no positive, no negative, or unknown on some images. */
class EvaluatorTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTests.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aLabelWithoutPositivesOrNegativesIsUndefinedAndLeftOutOfTheMean() {
    // labels: "seen" has both classes (one image unknown), "absent" no positive, "everywhere" no negative
    float nan = Float.NaN;
    float[][] labels = {{1, 0, 1}, {0, 0, 1}, {1, 0, 1}, {0, 0, 1}, {nan, 0, 1}, {0, 0, 1}};
    float[][] probabilities = {{0.9f, 0.1f, 0.5f}, {0.2f, 0.3f, 0.5f}, {0.4f, 0.2f, 0.5f}, {0.6f, 0.1f, 0.5f},
        {0.99f, 0.1f, 0.5f}, {0.1f, 0.2f, 0.5f}};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      rows.add(RowFactory.create(boxed(labels[i]), boxed(probabilities[i])));
    }
    StructType schema = new StructType()
        .add("labels", DataTypes.createArrayType(DataTypes.FloatType))
        .add("probabilities", DataTypes.createArrayType(DataTypes.FloatType));
    Map<String, Object> out = Evaluator.evaluateScored(spark.createDataFrame(rows, schema),
        List.of("seen", "absent", "everywhere"));

    // "seen" over its five known images: positives score 0.9 and 0.4, negatives 0.2, 0.6, 0.1 -> 5 of 6 pairs
    double seen = Evaluator.rankAuc(new double[] {0.9, 0.2, 0.4, 0.6, 0.1},
        new boolean[] {true, false, true, false, false});
    assertEquals(5.0 / 6, seen, 1e-12);
    Map<?, ?> perLabel = (Map<?, ?>) out.get("per_label");
    Map<?, ?> s = (Map<?, ?>) perLabel.get("seen");
    assertEquals(seen, (Double) s.get("auc"), 1e-12);
    assertEquals(2L, s.get("positives"));
    assertEquals(3L, s.get("negatives"));
    for (String undefined : List.of("absent", "everywhere")) {
      assertNull(((Map<?, ?>) perLabel.get(undefined)).get("auc"), undefined);
      assertNull(((Map<?, ?>) perLabel.get(undefined)).get("average_precision"), undefined);
    }
    assertEquals(0L, ((Map<?, ?>) perLabel.get("absent")).get("positives"));
    assertEquals(0L, ((Map<?, ?>) perLabel.get("everywhere")).get("negatives"));
    assertEquals(List.of("absent", "everywhere"), out.get("labels_undefined"));
    assertEquals(1, out.get("labels_defined"));
    assertEquals(seen, (Double) out.get("mean_auc"), 1e-12, "the mean is over defined labels only");
  }

  private static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
