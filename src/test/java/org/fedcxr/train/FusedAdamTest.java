package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FusedAdamTest {
  private static final int N = 200_003;

  /** Five steps from a seeded start; the weights after them. */
  private static float[] fiveSteps() {
    SplittableRandom rnd = new SplittableRandom(11);
    float[] w = gaussian(rnd, N, 1);
    float[] m = new float[N];
    float[] v = new float[N];
    for (int t = 1; t <= 5; t++) {
      float[] g = gaussian(rnd, N, 0.01);
      FusedAdam.update(FloatBuffer.wrap(w), FloatBuffer.wrap(g), FloatBuffer.wrap(m), FloatBuffer.wrap(v),
          corrected(0.01, t), 1e-4f, 0.9f, 0.999f, 1e-8f);
    }
    return w;
  }

  /** DJL's bias correction folded into the learning rate: lr·√(1−β2^t)/(1−β1^t). */
  private static float corrected(double lr, int t) {
    return (float) (lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t)));
  }

  private static float[] gaussian(SplittableRandom rnd, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextGaussian() * scale);
    }
    return a;
  }

  /** Against Adam written out in double precision (DJL's form: L2 decay in the gradient, ε outside the root). */
  @Test
  void matchesAdamComputedInDoublePrecision() {
    float[] fused = fiveSteps();
    SplittableRandom rnd = new SplittableRandom(11);
    float[] w0 = gaussian(rnd, N, 1);
    double[] w = new double[N];
    double[] m = new double[N];
    double[] v = new double[N];
    for (int i = 0; i < N; i++) {
      w[i] = w0[i];
    }
    for (int t = 1; t <= 5; t++) {
      float[] g = gaussian(rnd, N, 0.01);
      double lr = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
      for (int i = 0; i < N; i++) {
        double gi = g[i] + 1e-4 * w[i];
        m[i] = 0.9 * m[i] + 0.1 * gi;
        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
        w[i] -= lr * m[i] / (Math.sqrt(v[i]) + 1e-8);
      }
    }
    double worst = 0;
    double moved = 0;
    for (int i = 0; i < N; i++) {
      worst = Math.max(worst, Math.abs(fused[i] - w[i]));
      moved = Math.max(moved, Math.abs(w[i] - w0[i]));
    }
    assertEquals(0, worst, 1e-6, "largest difference from the double-precision Adam");
    assertTrue(moved > 0.01, "the steps moved the weights (the test can fail): " + moved);
  }

  @Test
  void refusesBuffersOfDifferentSizes() {
    FloatBuffer four = FloatBuffer.allocate(4);
    assertThrows(IllegalArgumentException.class, () -> FusedAdam.update(four, FloatBuffer.allocate(3), four, four,
        0.1f, 0f, 0.9f, 0.999f, 1e-8f));
  }
}
