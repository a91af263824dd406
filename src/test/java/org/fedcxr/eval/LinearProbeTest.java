package org.fedcxr.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.Test;

/** The linear probe's fits do not depend on how the training features are partitioned. */
class LinearProbeTest {
  private static final int DIM = 24;
  private static final int LABELS = 2;

  @Test
  void fitsAreBitIdenticalWhateverThePartitioning() throws IOException {
    try (SparkSession spark = SparkTests.start()) {
      List<Row> rows = rows(400, 7);
      List<LogisticRegressionModel> one = LinearProbe.fit(frame(spark, rows, 1), LABELS, 1e-3, 15);
      List<LogisticRegressionModel> many = LinearProbe.fit(frame(spark, rows, 7), LABELS, 1e-3, 15);
      for (int k = 0; k < LABELS; k++) {
        assertArrayEquals(one.get(k).coefficients().toArray(), many.get(k).coefficients().toArray(), 0.0,
            "label " + k);
        assertEquals(one.get(k).intercept(), many.get(k).intercept(), 0.0, "label " + k);
      }
      assertNotEquals(one.get(0).coefficients(), one.get(1).coefficients(), "each label has its own fit");
    }
  }

  /** Seeded features; label k depends on feature k plus noise, the last label unknown (NaN) in some rows. */
  private static List<Row> rows(int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] f = new float[DIM];
      for (int j = 0; j < DIM; j++) {
        f[j] = (float) rnd.nextGaussian();
      }
      float[] y = new float[LABELS];
      for (int k = 0; k < LABELS; k++) {
        y[k] = f[k] + 0.8 * rnd.nextGaussian() > 0.7 ? 1f : 0f;
      }
      if (i % 9 == 0) {
        y[LABELS - 1] = Float.NaN;
      }
      rows.add(RowFactory.create(y, f));
    }
    return rows;
  }

  private static Dataset<Row> frame(SparkSession spark, List<Row> rows, int partitions) {
    StructType schema = new StructType()
        .add("labels", DataTypes.createArrayType(DataTypes.FloatType))
        .add("features", DataTypes.createArrayType(DataTypes.FloatType));
    return spark.createDataFrame(new JavaSparkContext(spark.sparkContext()).parallelize(rows, partitions), schema);
  }
}
