package org.fedcxr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchNormStatisticsTest {
  /** Two batches of one channel: the running mean and variance become the size-weighted batch averages. */
  @Test
  void runningStatisticsBecomeTheBatchesWeightedAverages() {
    SplittableRandom rnd = new SplittableRandom(7);
    float[] a = values(rnd, 3 * 4, 2.0, 3.0);
    float[] b = values(rnd, 5 * 4, -1.0, 0.5);
    TorchThread.run(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        Block bn = Layers.bn();
        bn.initialize(m, DataType.FLOAT32, new Shape(2, 1, 2, 2));
        Map<String, Parameter> p = StateDict.of(bn);
        float[] gamma = p.get("weight").getArray().toFloatArray();
        BatchNormStatistics statistics = new BatchNormStatistics(bn);
        statistics.add(m, a, 3, 2, 2);
        statistics.add(m, b, 5, 2, 2);
        BatchNormStatistics.Sums s = statistics.sums();
        assertEquals(8, s.images());
        BatchNormStatistics.apply(bn, s);
        double mean = (3 * mean(a) + 5 * mean(b)) / 8;
        double var = (3 * unbiased(a) + 5 * unbiased(b)) / 8;
        assertEquals(mean, p.get("running_mean").getArray().toFloatArray()[0], 1e-5);
        assertEquals(var, p.get("running_var").getArray().toFloatArray()[0], 1e-5 * var);
        assertArrayEquals(gamma, p.get("weight").getArray().toFloatArray(), "only running statistics change");
        assertThrows(IllegalArgumentException.class, () -> statistics.add(m, new float[4], 1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> BatchNormStatistics.apply(bn,
            new BatchNormStatistics.Sums(8, new double[3])));
      }
    });
  }

  private static float[] values(SplittableRandom rnd, int n, double mean, double sd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (mean + sd * rnd.nextGaussian());
    }
    return v;
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double unbiased(float[] v) {
    double m = mean(v);
    double s = 0;
    for (float x : v) {
      s += (x - m) * (x - m);
    }
    return s / (v.length - 1);
  }
}
