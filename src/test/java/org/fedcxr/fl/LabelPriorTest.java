package org.fedcxr.fl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.model.Architecture;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.Test;

class LabelPriorTest {
  @Test
  void logOddsAreSmoothedByHalfAnImageEitherWay() {
    assertEquals(Math.log(1.5 / 8.5), LabelPrior.logOdds(1, 9), 1e-6);   // -1.7346
    assertEquals(Math.log(0.5 / 9.5), LabelPrior.logOdds(0, 9), 1e-6);   // -2.9444: finite with no positive
    assertEquals(0.0, LabelPrior.logOdds(5, 10), 1e-6);
    assertEquals(-LabelPrior.logOdds(2, 10), LabelPrior.logOdds(8, 10), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> LabelPrior.logOdds(4, 3));
  }

  @Test
  void aTablesPriorCountsEachLabelOnTheImagesWhereItIsKnown() {
    SparkSession spark = SparkTests.start("local[1]");
    try {
      float nan = Float.NaN;
      List<Row> rows = List.of(labels(1f, nan), labels(0f, 1f), labels(nan, nan), labels(1f, 0f), labels(0f, 0f),
          RowFactory.create((Object) null));
      StructType schema = new StructType().add("labels", DataTypes.createArrayType(DataTypes.FloatType, true), true);
      float[] prior = LabelPrior.logOdds(spark.createDataFrame(rows, schema), 2);
      // label 0: 2 positives of 4 known; label 1: 1 of 3 (all six rows counted would give ln(2.5/4.5), ln(1.5/5.5))
      assertArrayEquals(new float[] {(float) Math.log(2.5 / 2.5), (float) Math.log(1.5 / 2.5)}, prior, 1e-6f);
    } finally {
      spark.stop();
    }
  }

  private static Row labels(float a, float b) {
    return RowFactory.create((Object) new float[] {a, b});
  }

  @Test
  void withHeadBiasChangesTheHeadBiasAndNothingElse() {
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 3, 7)) {
      float[] before = g.current();
      float[] bias = {-1f, -2f, -3f};
      float[] after = g.withHeadBias(before, bias);
      assertArrayEquals(g.current(), before, "the input is not changed");
      int changed = 0;
      for (int i = 0; i < before.length; i++) {
        if (after[i] != before[i]) {
          assertEquals(bias[changed], after[i]);
          changed++;
        }
      }
      assertEquals(3, changed);
      assertThrows(IllegalArgumentException.class, () -> g.withHeadBias(before, new float[] {1f, 2f}));
    }
  }
}
