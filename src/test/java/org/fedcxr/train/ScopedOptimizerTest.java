package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScopedOptimizerTest {
  /** Runs 5 updates of two parameters with random gradients; returns the final weights. */
  static float[] run(Optimizer optimizer) {
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rnd = new SplittableRandom(3);
      NDArray[] weights = {m.create(random(rnd, 12), new Shape(3, 4)), m.create(random(rnd, 5), new Shape(5))};
      for (int step = 0; step < 5; step++) {
        for (int p = 0; p < weights.length; p++) {
          NDArray grad = m.create(random(rnd, (int) weights[p].size()), weights[p].getShape());
          optimizer.update("p" + p, weights[p], grad);
        }
      }
      float[] a = weights[0].toFloatArray();
      float[] b = weights[1].toFloatArray();
      float[] out = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, out, a.length, b.length);
      return out;
    }
  }

  static float[] random(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  @Test
  void givesDjlsAdamAndSgdResultsToTheBit() {
    Tracker cosine = Tracker.cosine().setBaseValue(0.01f).optFinalValue(0f).setMaxUpdates(5).build();
    try (ScopedOptimizer adam = ScopedOptimizer.adam(cosine, 1e-4f);
        ScopedOptimizer sgd = ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0.9f, 1e-4f);
        ScopedOptimizer plain = ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0f, 0f)) {
      float[] ours = run(adam);
      assertArrayEquals(run(Optimizer.adam().optLearningRateTracker(cosine).optWeightDecays(1e-4f).build()), ours);
      assertFalse(Arrays.equals(ours, run(ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0f, 0f))), "the test can fail");
      assertArrayEquals(run(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
          .optWeightDecays(1e-4f).build()), run(sgd));
      assertArrayEquals(run(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0f).build()),
          run(plain));
    }
  }
}
