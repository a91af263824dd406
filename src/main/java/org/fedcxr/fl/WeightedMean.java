package org.fedcxr.fl;

/**
 * A running weighted sum of client weights (in double), so the driver holds one client's update at a time whatever
 * the number of clients: FedAvg's average weighted by each client's share of the samples.
 */
public final class WeightedMean {
  private final double[] sum;
  private long samples;

  public WeightedMean(int size) {
    this.sum = new double[size];
  }

  public void add(float[] weights, long n) {
    if (weights.length != sum.length) {
      throw new IllegalArgumentException("update has " + weights.length + " values, expected " + sum.length);
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] += (double) weights[i] * n;
    }
    samples += n;
  }

  public long samples() {
    return samples;
  }

  /** The weighted mean; at least one update must have been added. */
  public float[] mean() {
    if (samples == 0) {
      throw new IllegalStateException("no client update to average");
    }
    float[] out = new float[sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sum[i] / samples);
    }
    return out;
  }
}
