package org.fedcxr.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.model.EvaluationResult;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * The evaluation's figures: MLlib's ROC AUC equals the exact rank-based Mann-Whitney AUC, ties included, and labels
 * that cannot be scored are reported as undefined.
 */
class AucCrossCheckTest {
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
  void mllibAucEqualsMannWhitneyOnScoresWithTies() {
    for (long seed = 1; seed <= 5; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      int n = 500 + rnd.nextInt(500);
      double[] scores = new double[n];
      boolean[] positive = new boolean[n];
      List<Tuple2<Object, Object>> pairs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        positive[i] = rnd.nextDouble() < 0.2;
        scores[i] = Math.round((rnd.nextDouble() + (positive[i] ? 0.3 : 0)) * 20) / 20.0;
        pairs.add(new Tuple2<>(scores[i], positive[i] ? 1.0 : 0.0));
      }
      BinaryClassificationMetrics metrics = new BinaryClassificationMetrics(
          new JavaSparkContext(spark.sparkContext()).parallelize(pairs, 3).rdd());
      assertEquals(Evaluator.rankAuc(scores, positive), metrics.areaUnderROC(), 1e-12, "seed " + seed);
    }
  }

  @Test
  void rankAucOfAPerfectAndAnInvertedRanking() {
    assertEquals(1.0, Evaluator.rankAuc(new double[] {0.1, 0.2, 0.9}, new boolean[] {false, false, true}));
    assertEquals(0.0, Evaluator.rankAuc(new double[] {0.1, 0.2, 0.9}, new boolean[] {true, false, false}));
    assertEquals(0.5, Evaluator.rankAuc(new double[] {0.5, 0.5}, new boolean[] {true, false}));
  }

  @Test
  void aLabelWithoutPositivesOrNegativesIsUndefinedAndLeftOutOfTheMean() throws Exception {
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
    EvaluationResult out = Evaluator.evaluateScored(spark.createDataFrame(rows, schema),
        List.of("seen", "absent", "everywhere"));

    // "seen" over its five known images: positives score 0.9 and 0.4, negatives 0.2, 0.6, 0.1 -> 5 of 6 pairs
    double seen = Evaluator.rankAuc(new double[] {0.9, 0.2, 0.4, 0.6, 0.1},
        new boolean[] {true, false, true, false, false});
    assertEquals(5.0 / 6, seen, 1e-12);
    EvaluationResult.LabelResult s = out.perLabel().get("seen");
    assertEquals(seen, s.auc(), 1e-12);
    assertEquals(2L, s.positives());
    assertEquals(3L, s.negatives());
    for (String undefined : List.of("absent", "everywhere")) {
      assertNull(out.perLabel().get(undefined).auc(), undefined);
      assertNull(out.perLabel().get(undefined).averagePrecision(), undefined);
    }
    assertEquals(0L, out.perLabel().get("absent").positives());
    assertEquals(0L, out.perLabel().get("everywhere").negatives());
    assertEquals(List.of("absent", "everywhere"), out.labelsUndefined());
    assertEquals(seen, out.meanAuc(), 1e-12, "the mean is over defined labels only");

    // the JSON form, as _SUMMARY.json and the round checkpoints hold it, and read back
    Map<String, Object> json = out.toMap();
    assertEquals(1, json.get("labels_defined"));
    assertEquals(List.of("absent", "everywhere"), json.get("labels_undefined"));
    assertNull(((Map<?, ?>) ((Map<?, ?>) json.get("per_label")).get("absent")).get("auc"));
    Map<?, ?> parsed = new ObjectMapper().readValue(new ObjectMapper().writeValueAsString(out), Map.class);
    assertEquals(out, EvaluationResult.fromMap(new ObjectMapper().convertValue(parsed,
        new TypeReference<Map<String, Object>>() { })));
    assertEquals(Map.of(), EvaluationResult.NONE.toMap(), "a round not evaluated is an empty object");
  }

  private static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
