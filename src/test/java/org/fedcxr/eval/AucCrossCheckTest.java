package org.fedcxr.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/** MLlib's ROC AUC (what the evaluation reports) equals the exact rank-based Mann-Whitney AUC, ties included. */
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
}
