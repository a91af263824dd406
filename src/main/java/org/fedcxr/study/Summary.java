package org.fedcxr.study;

import java.util.Collection;

/** Mean, sample standard deviation and count of the defined (non-NaN) values of a group. */
public record Summary(double mean, double sd, int n) {
  public static Summary of(Collection<Double> values) {
    double sum = 0;
    int n = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    if (n == 0) {
      return new Summary(Double.NaN, Double.NaN, 0);
    }
    double mean = sum / n;
    double ss = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        ss += (v - mean) * (v - mean);
      }
    }
    return new Summary(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN, n);
  }
}
