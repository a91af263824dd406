package org.fedcxr.train;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Adam's update (L2 weight decay added to the gradient, ε outside the square root, bias correction folded into the
 * learning rate: DJL's {@code adamUpdate} arguments and formula) in one pass over each element, on the tensors' own
 * memory. DJL's native kernel makes about a dozen passes and four temporaries per tensor; this one reads the weight,
 * gradient and both moments once and writes the weight and moments once (docs/benchmarks.md measures both). Every
 * element is computed alone, so the result does not depend on how the elements are split among threads.
 */
final class FusedAdam {
  /** Below this many elements a tensor is updated on the calling thread. */
  private static final int PARALLEL_MIN = 1 << 16;

  private FusedAdam() {
  }

  /**
   * Updates {@code weight}, {@code mean} and {@code variance} in place from {@code grad}: g' = g + wd·w,
   * m = β1·m + (1−β1)·g', v = β2·v + (1−β2)·g'², w = w − lr·m / (√v + ε), on up to {@code threads} threads.
   */
  static void update(FloatBuffer weight, FloatBuffer grad, FloatBuffer mean, FloatBuffer variance, float lr,
      float weightDecay, float beta1, float beta2, float epsilon, int threads) {
    int n = weight.limit();
    if (grad.limit() != n || mean.limit() != n || variance.limit() != n) {
      throw new IllegalArgumentException("weight, gradient and moments differ in size: " + n + ", " + grad.limit()
          + ", " + mean.limit() + ", " + variance.limit());
    }
    int parts = Math.max(1, Math.min(threads, n / PARALLEL_MIN));
    if (parts == 1) {
      range(weight, grad, mean, variance, lr, weightDecay, beta1, beta2, epsilon, 0, n);
      return;
    }
    IntStream.range(0, parts).parallel().forEach(p -> range(weight, grad, mean, variance, lr, weightDecay, beta1,
        beta2, epsilon, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
  }

  private static void range(FloatBuffer w, FloatBuffer g, FloatBuffer m, FloatBuffer v, float lr, float wd,
      float beta1, float beta2, float eps, int from, int to) {
    float oneMinusBeta1 = 1 - beta1;
    float oneMinusBeta2 = 1 - beta2;
    for (int i = from; i < to; i++) {
      float wi = w.get(i);
      float gi = g.get(i) + wd * wi;
      float mi = m.get(i) * beta1 + oneMinusBeta1 * gi;
      float vi = v.get(i) * beta2 + oneMinusBeta2 * gi * gi;
      m.put(i, mi);
      v.put(i, vi);
      w.put(i, wi - mi * lr / ((float) Math.sqrt(vi) + eps));
    }
  }
}
