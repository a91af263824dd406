package org.fedcxr.partition;

import java.util.SplittableRandom;

/** Draws from a symmetric Dirichlet distribution (normalised Gamma draws, Marsaglia-Tsang). */
final class Dirichlet {
  private Dirichlet() {
  }

  static double[] sample(int k, double alpha, SplittableRandom rnd) {
    double[] p = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      p[i] = gamma(alpha, rnd);
      sum += p[i];
    }
    if (sum == 0) {
      p[rnd.nextInt(k)] = 1;
      return p;
    }
    for (int i = 0; i < k; i++) {
      p[i] /= sum;
    }
    return p;
  }

  static double gamma(double alpha, SplittableRandom rnd) {
    if (alpha < 1) {
      double u = rnd.nextDouble();
      return gamma(alpha + 1, rnd) * Math.pow(u, 1 / alpha);
    }
    double d = alpha - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        x = gaussian(rnd);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = rnd.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  private static double gaussian(SplittableRandom rnd) {
    double u1 = rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
