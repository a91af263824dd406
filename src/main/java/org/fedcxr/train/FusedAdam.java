package org.fedcxr.train;

import java.nio.FloatBuffer;

/**
 * Adam's update (L2 weight decay added to the gradient, ε outside the square root, bias correction folded into the
 * learning rate: DJL's {@code adamUpdate} arguments and formula) in one pass over each element, on the tensors' own
 * memory. DJL's native kernel makes about a dozen passes and four temporaries per tensor; this one reads the weight,
 * gradient and both moments once and writes the weight and moments once (docs/benchmarks.md measures both).
 */
final class FusedAdam {
  private FusedAdam() {
  }

  /**
   * Updates {@code weight}, {@code mean} and {@code variance} in place from {@code grad}: g' = g + wd·w,
   * m = β1·m + (1−β1)·g', v = β2·v + (1−β2)·g'², w = w − lr·m / (√v + ε). The gradient is
   * only read.
   */
  static void update(FloatBuffer weight, FloatBuffer grad, FloatBuffer mean, FloatBuffer variance, float lr,
      float weightDecay, float beta1, float beta2, float epsilon) {
    int n = weight.limit();
    if (grad.limit() != n || mean.limit() != n || variance.limit() != n) {
      throw new IllegalArgumentException("weight, gradient and moments differ in size: " + n + ", " + grad.limit()
          + ", " + mean.limit() + ", " + variance.limit());
    }
    float oneMinusBeta1 = 1 - beta1;
    float oneMinusBeta2 = 1 - beta2;
    for (int i = 0; i < n; i++) {
      float w = weight.get(i);
      float g = grad.get(i) + weightDecay * w;
      float m = mean.get(i) * beta1 + oneMinusBeta1 * g;
      float v = variance.get(i) * beta2 + oneMinusBeta2 * g * g;
      mean.put(i, m);
      variance.put(i, v);
      weight.put(i, w - m * lr / ((float) Math.sqrt(v) + epsilon));
    }
  }
}
